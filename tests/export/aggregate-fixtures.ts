/**
 * Invented reports for the aggregate export, placed so that cells at admin level 2 hold exactly 5,
 * exactly 4, and 4 plus a deleted report and a duplicate; at level 3 the same reports split into
 * cells of 2 to 4.
 */
import type { ReportView } from '../../src/domain/merge.ts';
import type { ReportType } from '../../src/domain/report-codes.ts';
import { toExportRecord, type ExportRecord } from '../../src/export/record.ts';
import { reportId } from '../ids.ts';

const LATTAKIA = { pcode: 'SY06', en: 'Lattakia', ar: 'اللاذقية' };
const JABLAH = { pcode: 'SY0602', en: 'Jablah', ar: 'جبلة' };
const TARTOUS = { pcode: 'SY10', en: 'Tartous', ar: 'طرطوس' };
const BANYAS = { pcode: 'SY1002', en: 'Banyas', ar: 'بانياس' };
const ADM3 = {
  einShaqaq: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060203', en: 'Ein Shaqaq', ar: 'عين شقاق' } },
  dalyeh: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060204', en: 'Dalyeh', ar: 'دالية' } },
  beitYashout: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060205', en: 'Beit Yashout', ar: 'بيت ياشوط' } },
  qteilbiyyeh: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060202', en: 'Qteilbiyyeh', ar: 'القطيلبية' } },
  banyas: { adm1: TARTOUS, adm2: BANYAS, adm3: { pcode: 'SY100200', en: 'Banyas', ar: 'مركز بانياس' } },
  rawda: { adm1: TARTOUS, adm2: BANYAS, adm3: { pcode: 'SY100201', en: 'Rawda', ar: 'الروضة' } },
  // Typed by a monitor with no gazetteer loaded: names, no p-codes, no sub-district.
  namesOnly: { adm1: { en: 'Tartous' }, adm2: { en: 'Banyas' } },
} as const;

let n = 0;
function report(
  type: ReportType,
  admin: object,
  date: string | null,
  extra: { deleted?: boolean; verification?: string } = {},
): ExportRecord {
  n++;
  const view: ReportView = {
    id: reportId(`01957a3c-3000-7000-8000-${n.toString(16).padStart(12, '0')}`),
    type,
    values: {
      admin,
      ...(date === null ? {} : { eventDate: { precision: 'exact', date } }),
      ...(extra.verification ? { verification: extra.verification } : {}),
    } as ReportView['values'],
    conflicts: [],
    deleted: extra.deleted ?? false,
  };
  return toExportRecord(view)!;
}

const times = (k: number, make: (i: number) => ExportRecord) => Array.from({ length: k }, (_, i) => make(i));

export const AGGREGATE_RECORDS: ExportRecord[] = [
  // Jablah, W10, damage: 5 (3 + 2 at level 3), shown at levels 1 and 2.
  ...times(3, (i) => report('damage', ADM3.einShaqaq, `2025-03-0${6 + i}`)),
  ...times(2, () => report('damage', ADM3.dalyeh, '2025-03-08')),
  // The same place without a date: a cell of its own, of 1.
  report('damage', ADM3.einShaqaq, null),
  // Jablah, W10, displacement: 4 live, one deleted, one duplicate: suppressed.
  ...times(2, () => report('displacement', ADM3.beitYashout, '2025-03-08')),
  ...times(2, () => report('displacement', ADM3.qteilbiyyeh, '2025-03-09')),
  report('displacement', ADM3.qteilbiyyeh, '2025-03-09', { deleted: true }),
  report('displacement', ADM3.beitYashout, '2025-03-08', { verification: 'duplicate' }),
  // Banyas, W10, access cut: 6 and a duplicate.
  ...times(4, () => report('access_cut', ADM3.banyas, '2025-03-07')),
  ...times(2, () => report('access_cut', ADM3.rawda, '2025-03-09')),
  report('access_cut', ADM3.banyas, '2025-03-07', { verification: 'duplicate' }),
  // Banyas, W11, access cut: exactly 4.
  ...times(4, (i) => report('access_cut', ADM3.rawda, `2025-03-1${i}`)),
  // Named but not coded, W11, displacement: exactly 4.
  ...times(4, () => report('displacement', ADM3.namesOnly, '2025-03-11')),
];
