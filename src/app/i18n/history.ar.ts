/** A report's history (its chain of custody), verification and duplicates: Arabic messages. */
import type { CatalogOf } from './catalog-types.ts';
import type { historyEn } from './history.en.ts';

export const historyAr: CatalogOf<typeof historyEn> = {
};
