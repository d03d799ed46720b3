/**
 * Body codecs: how a sealed op's body text is stored inside its seal, named by the plaintext's first
 * byte (sealed.ts). A codec is written only where every reader of the deployment opens it: each
 * device says which it opens, the base answers those all devices share (decision 092).
 */
export const CODEC = {
  /** The body text itself. */
  stored: 0,
  /** DEFLATE-raw of the body text. */
  deflateRaw: 1,
  /** DEFLATE-raw of the body text against the preset dictionary of body-dictionary.ts. */
  deflateDictionary: 2,
} as const;

/** The codecs this app opens: what it tells the base it reads. */
export const CODECS_READ: readonly number[] = [CODEC.stored, CODEC.deflateRaw, CODEC.deflateDictionary];

/** The codecs every reader of format 2 opens: all a writer may assume of a device that said nothing. */
export const CODECS_OF_EVERY_READER: readonly number[] = [CODEC.stored, CODEC.deflateRaw];
