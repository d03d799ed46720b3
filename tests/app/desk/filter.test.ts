import { describe, expect, test } from 'vitest';
import type { DeskReport } from '../../../src/app/desk/desk-reports.ts';
import {
  NO_FILTER,
  SORTS,
  SearchCache,
  UNKNOWN_DEVICE,
  areaChoices,
  deviceChoices,
  filterReports,
  foldForSearch,
  foldSearchText,
  indexDeskReports,
  isNoFilter,
  parseDateBound,
  searchTerms,
  sortReports,
  type DeskFilter,
} from '../../../src/app/desk/filter.ts';
import type { Gazetteer } from '../../../src/domain/gazetteer.ts';
import type { ReportView } from '../../../src/domain/merge.ts';
import type { ReportType } from '../../../src/domain/report-codes.ts';
import { deviceId, reportId } from '../../ids.ts';

const gazetteer: Gazetteer = {
  name: 'Invented coast',
  units: [
    { pcode: 'SY06', en: 'Lattakia', ar: 'اللاذقية', level: 1 },
    { pcode: 'SY10', en: 'Tartous', ar: 'طرطوس', level: 1 },
    { pcode: 'SY0602', en: 'Jablah', ar: 'جبلة', level: 2, parent: 'SY06' },
    { pcode: 'SY1002', en: 'Banyas', ar: 'بانياس', level: 2, parent: 'SY10' },
    { pcode: 'SY100201', en: 'Rawda', ar: 'الروضة', level: 3, parent: 'SY1002' },
  ],
};

const JABLAH = { adm1: { pcode: 'SY06', en: 'Lattakia', ar: 'اللاذقية' }, adm2: { pcode: 'SY0602', en: 'Jablah', ar: 'جبلة' } };
const BANYAS_ONLY = { adm2: { pcode: 'SY1002', en: 'Banyas', ar: 'بانياس' } };

let seq = 0;
/** A desk report as useDeskReports gives it; the creation clock grows with each call unless given. */
function report(
  values: ReportView['values'],
  opts: { type?: ReportType; device?: string; conflicts?: string[]; deleted?: boolean; hlc?: string; id?: string } = {},
): DeskReport {
  seq += 1;
  const id = reportId(opts.id ?? `0b8f8a52-0000-7000-8000-${String(seq).padStart(12, '0')}`);
  const createdHlc = opts.hlc ?? `2025-03-07T08:00:00.000Z-${seq.toString(16).padStart(4, '0')}-a1`;
  return {
    id,
    view: {
      id,
      type: opts.type ?? 'damage',
      values,
      conflicts: opts.conflicts ?? [],
      deleted: opts.deleted ?? false,
      createdHlc,
      updatedHlc: createdHlc,
    },
    device: opts.device === '' ? '' : deviceId(opts.device ?? 'a1b2c3d4e5f60718'),
    unsynced: false,
  };
}

const day = (date: string) => ({ precision: 'exact' as const, date });
const ids = (list: readonly { report: DeskReport }[]) => list.map((r) => r.report.id);
const run = (reports: DeskReport[], f: Partial<DeskFilter>, g: Gazetteer | null = gazetteer) =>
  ids(filterReports(indexDeskReports(reports, new SearchCache(), g ?? undefined), { ...NO_FILTER, ...f }));

describe('search folding', () => {
  test('a query typed without hamza or with haa for taa marbuta finds the written name', () => {
    expect(foldForSearch('جبلة')).toContain(foldForSearch('جبله'));
    expect(foldForSearch('الأَحمر')).toBe(foldForSearch('الاحمر'));
    expect(foldForSearch('إدلب')).toBe(foldForSearch('ادلب'));
    expect(foldForSearch('مستشفى')).toBe(foldForSearch('مستشفي'));
  });

  test('tatweel, harakat, Latin case and accents, and Eastern Arabic digits are evened out', () => {
    expect(foldForSearch('طرطـــوس')).toBe(foldForSearch('طرطوس'));
    expect(foldForSearch('بَانِيَاس')).toBe('بانياس');
    expect(foldForSearch('Al-Ḥaffa  MARKET')).toBe('al-haffa market');
    expect(foldForSearch('٧ محلات')).toBe('7 محلات');
  });

  test("a report's text is folded in one pass with its fields kept on lines of their own", () => {
    expect(foldSearchText('سوقُ  جبلة\nAl-Ḥaffa\tMARKET')).toBe('سوق جبله\nal-haffa market');
  });

  test('a query becomes its distinct folded words; a blank query has none', () => {
    expect(searchTerms('  سوق   جبله سوق ')).toEqual(['سوق', 'جبله']);
    expect(searchTerms(' \t ')).toEqual([]);
  });
});

describe('free-text search over reports', () => {
  const market = report({ placeName: 'سوق جبلة', admin: JABLAH, narrative: 'احترقت المحلات ليلًا' });
  const red = report({ placeName: 'حي الأَحمر', narrative: 'Families left at dawn' });
  const origin = report({ origin: { name: 'قرية الحُمَيْدية' }, sourceDetail: 'شاهد من الجوار' }, { type: 'displacement' });
  const all = [market, red, origin];

  test('finds a place name typed the way people type it', () => {
    expect(run(all, { query: 'جبله' })).toEqual([market.id]);
    expect(run(all, { query: 'الاحمر' })).toEqual([red.id]);
  });

  test('searches admin names in both languages, the narrative, source details and origin', () => {
    expect(run(all, { query: 'jablah' })).toEqual([market.id]);
    expect(run(all, { query: 'اللاذقيه' })).toEqual([market.id]);
    expect(run(all, { query: 'FAMILIES' })).toEqual([red.id]);
    expect(run(all, { query: 'الحميديه' })).toEqual([origin.id]);
    expect(run(all, { query: 'الجوار' })).toEqual([origin.id]);
  });

  test('every word must match, in any order and in any of the fields', () => {
    expect(run(all, { query: 'ليلا سوق' })).toEqual([market.id]);
    expect(run(all, { query: 'سوق حي' })).toEqual([]);
    // The place name holds one word and the narrative the other.
    expect(run(all, { query: 'احترقت جبله' })).toEqual([market.id]);
  });

  test('coded values are not searched: the type and damage filters cover them', () => {
    expect(run([report({ placeName: 'الروضة', damageLevel: 'destroyed' })], { query: 'destroyed' })).toEqual([]);
  });
});

describe('the search cache', () => {
  test('re-reading the same report reuses its folded text, and a changed text is folded again', () => {
    let folds = 0;
    const cache = new SearchCache((t) => {
      folds += 1;
      return foldSearchText(t);
    });
    const first = report({ placeName: 'حي الأَحمر' }, { id: '0b8f8a52-0000-7000-8002-000000000001' });
    expect(cache.folded(first.view)).toBe('حي الاحمر');
    expect(folds).toBe(1);
    // A sync re-reads every report into new objects: the same text is not folded again.
    expect(cache.folded({ ...first.view, values: { ...first.view.values } })).toBe('حي الاحمر');
    expect(folds).toBe(1);
    const edited = { ...first.view, values: { placeName: 'حي الأَحمر', narrative: 'دُمّر الجسر' } };
    expect(cache.folded(edited)).toBe('حي الاحمر\nدمر الجسر');
    // A cleared field need not move updatedHlc: the text itself decides.
    expect(cache.folded({ ...first.view, values: { placeName: 'حي الأَحمر' } })).toBe('حي الاحمر');
  });

  test('a report no longer present leaves the cache', () => {
    const cache = new SearchCache();
    const a = report({ placeName: 'أ' });
    const b = report({ placeName: 'ب' });
    indexDeskReports([a, b], cache);
    expect(cache.size).toBe(2);
    indexDeskReports([b], cache);
    expect(cache.size).toBe(1);
  });
});

describe('the index', () => {
  test('lists newest first by creation clock, ties broken by id', () => {
    const old = report({ placeName: 'أ' }, { hlc: '2025-03-01T00:00:00.000Z-0000-a1' });
    const newest = report({ placeName: 'ب' }, { hlc: '2025-03-09T00:00:00.000Z-0000-a1' });
    const tieB = report({ placeName: 'ج' }, { hlc: '2025-03-05T00:00:00.000Z-0000-a1', id: '0b8f8a52-0000-7000-8002-00000000000b' });
    const tieA = report({ placeName: 'د' }, { hlc: '2025-03-05T00:00:00.000Z-0000-a1', id: '0b8f8a52-0000-7000-8002-00000000000a' });
    expect(run([old, tieB, newest, tieA], {})).toEqual([newest.id, tieA.id, tieB.id, old.id]);
  });

  test('a deleted report is left out unless its delete crossed an edit (a conflict)', () => {
    const gone = report({ placeName: 'أ' }, { deleted: true });
    const disputed = report({ placeName: 'ب' }, { deleted: true, conflicts: ['deleted'] });
    expect(run([gone, disputed], {})).toEqual([disputed.id]);
  });
});

describe('filters', () => {
  test('by type', () => {
    const d = report({ placeName: 'أ' }, { type: 'damage' });
    const a = report({ placeName: 'ب' }, { type: 'access_cut' });
    expect(run([d, a], { type: 'access_cut' })).toEqual([a.id]);
  });

  test('by governorate, including a report filed under its district alone', () => {
    const jablah = report({ admin: JABLAH });
    const banyas = report({ admin: BANYAS_ONLY });
    const named = report({ placeName: 'بلا منطقة' });
    expect(run([jablah, banyas, named], { adm1: 'SY10' })).toEqual([banyas.id]);
    expect(run([jablah, banyas, named], { adm1: 'SY06', adm2: 'SY0602' })).toEqual([jablah.id]);
    // Without a gazetteer a district alone names no governorate.
    expect(run([jablah, banyas, named], { adm1: 'SY10' }, null)).toEqual([]);
  });

  test('a report filed under a sub-district alone is found under its district and governorate', () => {
    const rawda = report({ admin: { adm3: { pcode: 'SY100201', ar: 'الروضة' } } });
    const other = report({ admin: JABLAH });
    expect(run([rawda, other], { adm1: 'SY10', adm2: 'SY1002' })).toEqual([rawda.id]);
  });

  test('an area named without a p-code joins the gazetteer unit of that name, however it is spelled', () => {
    const spelled = report({ admin: { adm2: { ar: 'جبله' } } });
    const coded = report({ admin: JABLAH });
    expect(run([spelled, coded], { adm2: 'SY0602' }).sort()).toEqual([spelled.id, coded.id].sort());
    expect(run([spelled, coded], { adm1: 'SY06' }).sort()).toEqual([spelled.id, coded.id].sort());
  });

  test('by event date: a day or a range that overlaps the bounds; no date, no match', () => {
    const before = report({ eventDate: day('2025-03-01') });
    const inside = report({ eventDate: day('2025-03-07') });
    const overlapping = report({ eventDate: { precision: 'range', date: '2025-02-25', end: '2025-03-06' } });
    const after = report({ eventDate: day('2025-03-20') });
    const undated = report({ placeName: 'أ' });
    const all = [before, inside, overlapping, after, undated];
    expect(run(all, { from: '2025-03-05', to: '2025-03-10' }).sort()).toEqual([inside.id, overlapping.id].sort());
    expect(run(all, { from: '2025-03-07' }).sort()).toEqual([inside.id, after.id].sort());
    expect(run(all, { to: '2025-03-01' }).sort()).toEqual([before.id, overlapping.id].sort());
  });

  test('by verification: unverified is also a report with no verification at all', () => {
    const none = report({ placeName: 'أ' });
    const unverified = report({ verification: 'unverified' });
    const verified = report({ verification: 'verified' });
    const disputed = report({ verification: 'disputed' });
    const all = [none, unverified, verified, disputed];
    expect(run(all, { verification: 'unverified' }).sort()).toEqual([none.id, unverified.id].sort());
    expect(run(all, { verification: 'disputed' })).toEqual([disputed.id]);
  });

  test('by device, with reports whose creating device is not known yet under one choice', () => {
    const a = report({ placeName: 'أ' }, { device: 'aaaa1111' });
    const b = report({ placeName: 'ب' }, { device: 'bbbb2222' });
    const unknown = report({ placeName: 'ج' }, { device: '' });
    expect(run([a, b, unknown], { device: 'bbbb2222' })).toEqual([b.id]);
    expect(run([a, b, unknown], { device: UNKNOWN_DEVICE })).toEqual([unknown.id]);
  });

  test('has conflict', () => {
    const calm = report({ placeName: 'أ' });
    const torn = report({ placeName: 'ب' }, { conflicts: ['narrative'] });
    expect(run([calm, torn], { conflict: true })).toEqual([torn.id]);
  });

  test('filters combine: every one must hold', () => {
    const hit = report({ placeName: 'سوق جبلة', admin: JABLAH, verification: 'verified' }, { type: 'damage', conflicts: ['structures'] });
    const wrongType = report(
      { placeName: 'سوق جبلة', admin: JABLAH, verification: 'verified' },
      { type: 'displacement', conflicts: ['structures'] },
    );
    const noConflict = report({ placeName: 'سوق جبلة', admin: JABLAH, verification: 'verified' }, { type: 'damage' });
    expect(
      run([hit, wrongType, noConflict], { type: 'damage', adm2: 'SY0602', verification: 'verified', conflict: true, query: 'جبله' }),
    ).toEqual([hit.id]);
  });

  test('an empty filter is recognised, a blank query included', () => {
    expect(isNoFilter({ ...NO_FILTER, query: '   ' })).toBe(true);
    expect(isNoFilter({ ...NO_FILTER, conflict: true })).toBe(false);
  });
});

describe('choices for the filters', () => {
  const reports = [
    report({ admin: JABLAH }),
    report({ admin: JABLAH }),
    report({ admin: BANYAS_ONLY }, { device: 'bbbb2222' }),
    report({ admin: { adm1: { en: 'Hama' } } }, { device: '' }),
  ];
  const index = indexDeskReports(reports, new SearchCache(), gazetteer);

  test('governorates present in the reports, with counts, sorted by name in the UI language', () => {
    const ar = areaChoices(index, 1, 'ar').map((c) => [c.area.ar ?? c.area.en, c.count]);
    expect(ar).toEqual([
      ['اللاذقية', 2],
      ['طرطوس', 1],
      ['Hama', 1],
    ]);
    const en = areaChoices(index, 1, 'en').map((c) => c.area.en);
    expect(en).toEqual(['Hama', 'Lattakia', 'Tartous']);
  });

  test('districts are those of the chosen governorate', () => {
    expect(areaChoices(index, 2, 'en').map((c) => c.value)).toEqual(['SY1002', 'SY0602']);
    expect(areaChoices(index, 2, 'en', 'SY06').map((c) => [c.value, c.count])).toEqual([['SY0602', 2]]);
  });

  test('devices, most reports first', () => {
    expect(deviceChoices(index)).toEqual([
      { value: 'a1b2c3d4e5f60718', count: 2 },
      { value: UNKNOWN_DEVICE, count: 1 },
      { value: 'bbbb2222', count: 1 },
    ]);
  });
});

describe('date bounds as typed', () => {
  test('Eastern Arabic and Persian digits, and slashes or dots, give an ISO date', () => {
    expect(parseDateBound('٢٠٢٥-٠٣-٠٧')).toEqual({ ok: true, value: '2025-03-07' });
    expect(parseDateBound('۲۰۲۵/۳/۷')).toEqual({ ok: true, value: '2025-03-07' });
    expect(parseDateBound(' 2025.12.31 ')).toEqual({ ok: true, value: '2025-12-31' });
    expect(parseDateBound('')).toEqual({ ok: true, value: '' });
  });

  test('a date that does not exist or another order is refused', () => {
    for (const bad of ['2025-02-30', '07-03-2025', '2025-13-01', 'أمس', '2025-3']) {
      expect(parseDateBound(bad)).toEqual({ ok: false, error: 'desk.filter.dateInvalid' });
    }
  });
});

describe('at 100,000 reports', () => {
  const TYPES: ReportType[] = ['displacement', 'damage', 'access_cut'];
  const PLACES = ['سوق جبلة', 'حي الأَحمر', 'قرية بيت ياشوط', 'الروضة', 'مدرسة القُطيلبية'];
  const DEVICES = ['d0d0d0d0', 'e1e1e1e1', 'f2f2f2f2', 'a3a3a3a3', 'b4b4b4b4', 'c5c5c5c5'];
  const VERIFICATION = [undefined, 'verified', 'disputed'] as const;
  const N = 100_000;
  const T0 = Date.UTC(2025, 2, 1);

  // Each property follows its own modulus, so the expected answer can be worked out from i alone.
  const typeOf = (i: number) => TYPES[i % 3]!;
  const adminOf = (i: number) => (i % 4 === 0 ? JABLAH : i % 4 === 1 ? BANYAS_ONLY : undefined);
  const placeOf = (i: number) => `${PLACES[i % 5]} ${i}`;
  const dayOf = (i: number) => (i % 31) + 1;
  const verificationOf = (i: number) => VERIFICATION[Math.floor(i / 3) % 3];
  const deviceOf = (i: number) => DEVICES[i % 6]!;
  const conflictOf = (i: number) => i % 7 === 0;
  const idOf = (i: number) => reportId(`0b8f8a52-0000-7000-8001-${String(i).padStart(12, '0')}`);

  const reports: DeskReport[] = [];
  for (let i = 0; i < N; i++) {
    const admin = adminOf(i);
    const verification = verificationOf(i);
    const values: ReportView['values'] = {
      placeName: placeOf(i),
      eventDate: day(`2025-03-${String(dayOf(i)).padStart(2, '0')}`),
      ...(admin && { admin }),
      ...(verification && { verification }),
    };
    const hlc = `${new Date(T0 + i * 1000).toISOString()}-0000-a1`;
    reports.push(report(values, { id: idOf(i), hlc, type: typeOf(i), device: deviceOf(i), conflicts: conflictOf(i) ? ['narrative'] : [] }));
  }
  const index = indexDeskReports(reports, new SearchCache(), gazetteer);
  const expectedIds = (keep: (i: number) => boolean) => {
    const out: string[] = [];
    for (let i = N - 1; i >= 0; i--) if (keep(i)) out.push(idOf(i));
    return out;
  };

  test('type, governorate, date range, verification and an Arabic query return exactly the matching ids, newest first', () => {
    const f: DeskFilter = {
      ...NO_FILTER,
      type: 'damage',
      adm1: 'SY06',
      from: '2025-03-10',
      to: '2025-03-20',
      verification: 'unverified',
      query: 'جبله',
    };
    const expected = expectedIds(
      (i) =>
        typeOf(i) === 'damage' &&
        i % 4 === 0 &&
        dayOf(i) >= 10 &&
        dayOf(i) <= 20 &&
        verificationOf(i) === undefined &&
        // Every Lattakia report here is in Jablah, so its admin name matches whatever its place is.
        (placeOf(i).includes('جبلة') || adminOf(i) === JABLAH),
    );
    expect(expected.length).toBeGreaterThan(100);
    expect(ids(filterReports(index, f))).toEqual(expected);
  });

  test('device, conflict, verification and a query typed without hamza return exactly the matching ids', () => {
    const f: DeskFilter = { ...NO_FILTER, device: 'c5c5c5c5', conflict: true, verification: 'disputed', query: 'الاحمر' };
    const expected = expectedIds((i) => deviceOf(i) === 'c5c5c5c5' && conflictOf(i) && verificationOf(i) === 'disputed' && i % 5 === 1);
    expect(expected.length).toBeGreaterThan(50);
    expect(ids(filterReports(index, f))).toEqual(expected);
  });

  test('with no filter every report is listed, newest first', () => {
    const all = ids(filterReports(index, NO_FILTER));
    expect(all.length).toBe(N);
    expect(all[0]).toBe(idOf(N - 1));
    expect(all[N - 1]).toBe(idOf(0));
  });
});

describe('the order of the list', () => {
  // Written in this order: the list opens newest written first, so `late` comes first.
  const noDate = report({ placeName: 'بانياس' }, { type: 'access_cut' });
  const early = report({ eventDate: day('2024-01-05'), placeName: 'الروضة' }, { type: 'displacement' });
  const ranged = report({ eventDate: { precision: 'exact', date: '2024-02-01', end: '2024-03-15' }, admin: JABLAH });
  const late = report({ eventDate: day('2024-03-01'), placeName: 'ادلب' }, { type: 'damage' });
  const index = indexDeskReports([noDate, early, ranged, late], new SearchCache(), gazetteer);
  const written = (list: DeskReport[]) => list.map((r) => r.id);
  const order = (sort: Parameters<typeof sortReports>[1], received?: Map<string, number>, lang: 'ar' | 'en' = 'ar') =>
    ids(sortReports(index, sort, lang, received));

  test('opens newest written first, and sorts by event date either way, a report with no date last', () => {
    expect(order('written')).toEqual(written([late, ranged, early, noDate]));
    // A range counts by its last day when newest first, by its first day when oldest first.
    expect(order('eventNewest')).toEqual(written([ranged, late, early, noDate]));
    expect(order('eventOldest')).toEqual(written([early, ranged, late, noDate]));
  });

  test('by when the base received it, a report the base does not have yet last', () => {
    const received = new Map<string, number>([
      [early.id, 3_000],
      [late.id, 1_000],
      [noDate.id, 2_000],
    ]);
    expect(order('receivedNewest', received)).toEqual(written([early, noDate, late, ranged]));
    expect(order('receivedOldest', received)).toEqual(written([late, noDate, early, ranged]));
    // Before the times are read, the list keeps the order it had.
    expect(order('receivedNewest')).toEqual(order('written'));
  });

  test('reports with the same key keep the order the list opens in, whichever way the sort runs', () => {
    const [a, b, c] = [1, 2, 3].map(() => report({ eventDate: day('2024-02-10'), placeName: 'جبلة' }));
    const other = report({ eventDate: day('2024-02-20'), placeName: 'بانياس' });
    const same = indexDeskReports([a!, other, b!, c!], new SearchCache(), gazetteer);
    const by = (sort: Parameters<typeof sortReports>[1]) => ids(sortReports(same, sort, 'ar'));
    expect(by('eventNewest')).toEqual(written([other, c!, b!, a!]));
    expect(by('eventOldest')).toEqual(written([c!, b!, a!, other]));
    expect(by('place')).toEqual(written([other, c!, b!, a!]));
  });

  test('a filter changed under an order shows the same order as sorting what it keeps, and new receipts reorder it', () => {
    const places = ['بانياس', 'جبلة', 'الروضة', 'ادلب', 'حماة'];
    const types: ReportType[] = ['displacement', 'damage', 'access_cut'];
    const many = Array.from({ length: 40 }, (_, i) =>
      report({ eventDate: day(`2024-02-${String(1 + (i % 9)).padStart(2, '0')}`), placeName: places[i % 5] }, { type: types[i % 3]! }),
    );
    const whole = indexDeskReports(many, new SearchCache(), gazetteer);
    const received = new Map(many.map((r, i) => [r.id, (i * 7) % 40]));
    // Most of the list (picked from the whole list's order), and a few of it (sorted alone).
    const most = whole.filter((r) => r.report.view.type !== 'access_cut');
    const few = whole.slice(0, 3);
    for (const sort of SORTS) {
      for (const shown of [most, few]) {
        const underFilter = ids(sortReports(shown, sort, 'ar', received, whole));
        expect(underFilter, sort).toEqual(ids(sortReports(shown, sort, 'ar', received)));
        // Asked again, as when the coordinator comes back to the order.
        expect(ids(sortReports(shown, sort, 'ar', received, whole)), sort).toEqual(underFilter);
      }
    }
    const reversed = new Map(many.map((r, i) => [r.id, 39 - ((i * 7) % 40)]));
    expect(ids(sortReports(most, 'receivedNewest', 'ar', reversed, whole))).toEqual(
      ids(sortReports(most, 'receivedOldest', 'ar', received, whole)),
    );
  });

  test("by type in the form's order, and by place as the row shows it, in the language's alphabet", () => {
    expect(order('type')).toEqual(written([early, late, ranged, noDate]));
    // The typed name, else the area's name: ادلب, الروضة, بانياس, جبلة.
    expect(order('place')).toEqual(written([late, early, noDate, ranged]));
    // In English the area is "Jablah": the Arabic names sort after it.
    expect(order('place', undefined, 'en')[0]).toBe(ranged.id);
  });
});

test('a report filed under no admin area at any level is marked, and the filter keeps only such reports', () => {
  const none = report({ placeName: 'مزرعة على طريق الساحل' });
  const subDistrictOnly = report({ admin: { adm3: { pcode: 'SY100201', en: 'Rawda', ar: 'الروضة' } } });
  const district = report({ admin: BANYAS_ONLY });
  const index = indexDeskReports([none, subDistrictOnly, district], new SearchCache(), gazetteer);
  expect(index.filter((r) => r.noArea).map((r) => r.report.id)).toEqual([none.id]);
  expect(run([none, subDistrictOnly, district], { noArea: true })).toEqual([none.id]);
  expect(isNoFilter({ ...NO_FILTER, noArea: true })).toBe(false);
});
