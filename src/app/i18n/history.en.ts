/** A report's history (its chain of custody), verification and duplicates: English messages. */
import type { PluralMessage } from './catalog-types.ts';

export const historyEn = {
} as const satisfies Record<string, string | PluralMessage>;
