/**
 * What a device may do: record reports in the field (monitor) or run the desk (coordinator), as the
 * enrollment code it used says. Kept free of the schema library, since the first render checks the
 * stored enrollment's role with isRole.
 */
export const ROLES = ['monitor', 'coordinator'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}
