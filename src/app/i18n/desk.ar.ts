/** The desk: every report, filtered and searched: Arabic messages. */
import type { CatalogOf } from './catalog-types.ts';
import type { deskEn } from './desk.en.ts';

export const deskAr: CatalogOf<typeof deskEn> = {
  'nav.desk': 'المكتب',
  'desk.nav': 'المكتب',
  'desk.nav.reports': 'كل التقارير',
  'desk.nav.charts': 'الرسوم البيانية',
  'desk.nav.exports': 'التصدير',
  'desk.loading': 'جارٍ قراءة التقارير…',
};
