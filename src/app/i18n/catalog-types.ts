/** The shape every catalog shares: a message is text with `{name}` parameters, or the plural forms of one. */
export interface PluralMessage {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
}

/** A catalog in another language for the keys an English catalog defines: every key, same kind of message. */
export type CatalogOf<T> = { readonly [K in keyof T]: T[K] extends string ? string : PluralMessage };
