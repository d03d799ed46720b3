/** The desk's charts: Arabic messages. */
import type { CatalogOf } from './catalog-types.ts';
import type { chartsEn } from './charts.en.ts';

export const chartsAr: CatalogOf<typeof chartsEn> = {
};
