/** Export profiles, exports and the export log: Arabic messages. */
import type { CatalogOf } from './catalog-types.ts';
import type { exportsEn } from './exports.en.ts';

export const exportsAr: CatalogOf<typeof exportsEn> = {
};
