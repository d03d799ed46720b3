/** The desk: every report, filtered and searched: English messages. */
import type { PluralMessage } from './catalog-types.ts';

export const deskEn = {
  'nav.desk': 'Desk',
  'desk.nav': 'Desk',
  'desk.nav.reports': 'All reports',
  'desk.nav.charts': 'Charts',
  'desk.nav.exports': 'Exports',
  'desk.loading': 'Reading reports…',
} as const satisfies Record<string, string | PluralMessage>;
