/** The desk's charts: English messages. */
import type { PluralMessage } from './catalog-types.ts';

export const chartsEn = {
} as const satisfies Record<string, string | PluralMessage>;
