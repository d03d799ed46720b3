/** Export profiles, exports and the export log: English messages. */
import type { PluralMessage } from './catalog-types.ts';

export const exportsEn = {
} as const satisfies Record<string, string | PluralMessage>;
