import { describe, expect, test } from 'vitest';
import { encodeHlc } from '../../src/domain/hlc.ts';
import type { ReportView } from '../../src/domain/merge.ts';
import { REPORT_COLUMNS, columnSensitivity, toExportRecord } from '../../src/export/record.ts';
import { IDS, RECORDS } from './fixtures.ts';
import { deviceId, reportId } from '../ids.ts';

const byId = (id: string) => RECORDS.find((r) => r.id === id)!;

function view(values: Record<string, unknown>, extra: Partial<ReportView> = {}): ReportView {
  return {
    id: reportId('01957a3c-1f00-7000-8000-0000000000f1'),
    type: 'damage',
    values: values,
    conflicts: [],
    deleted: false,
    createdHlc: encodeHlc({ wall: Date.UTC(2025, 2, 8, 9, 30), counter: 0, node: 'phone' }),
    ...extra,
  };
}

describe('the export record', () => {
  test('has every column, in column order, for every report', () => {
    for (const r of RECORDS) expect(Object.keys(r)).toEqual(REPORT_COLUMNS.map((c) => c.name));
  });

  test('splits a date range into start, precision and end', () => {
    expect(byId(IDS.dalyehShops)).toMatchObject({ date: '2025-03-06', date_precision: 'range', date_end: '2025-03-09' });
    expect(byId(IDS.beitYashout)).toMatchObject({ date: '2025-03-08', date_precision: 'exact', date_end: null });
  });

  test('gives each admin level its p-code and both names, and keeps a name without a p-code', () => {
    expect(byId(IDS.beitYashout)).toMatchObject({
      adm1_pcode: 'SY06',
      adm2_pcode: 'SY0602',
      adm2_name_en: 'Jablah',
      adm2_name_ar: 'جبلة',
      adm3_pcode: 'SY060205',
      adm3_name_ar: 'بيت ياشوط',
    });
    expect(byId(IDS.alBayda)).toMatchObject({ adm2_pcode: null, adm2_name_en: 'Banyas', adm2_name_ar: 'بانياس', adm3_pcode: null });
  });

  test('keeps coded values as English codes, never labels', () => {
    expect(byId(IDS.baniyasBread)).toMatchObject({ type: 'access_cut', service: 'bread', service_state: 'restored', cut_cause: 'siege' });
    expect(byId(IDS.beitYashout)).toMatchObject({ shelter: 'military_base', displacement_cause: 'violence' });
  });

  test('leaves an unknown count empty, not zero', () => {
    expect(byId(IDS.rawdaWater)).toMatchObject({ affected_hh: null, affected_ind: null });
    expect(byId(IDS.baniyasBread)).toMatchObject({ affected_hh: null, affected_ind: 4000 });
  });

  test('counts displaced people and people cut off in separate columns', () => {
    expect(byId(IDS.beitYashout)).toMatchObject({ idps_hh: 35, idps_ind: 160, affected_hh: null });
    expect(byId(IDS.baniyasBread)).toMatchObject({ idps_ind: null, affected_ind: 4000 });
  });

  test('takes the reported time from the device clock of the create op, and the desk facts as given', () => {
    const r = toExportRecord(view({ structures: 3 }), {
      receivedAt: Date.UTC(2025, 2, 9, 6, 0),
      device: deviceId('phone-jableh-0009'),
      organisation: 'Sahel Monitors',
    })!;
    expect(r).toMatchObject({
      reported_at: '2025-03-08T09:30:00.000Z',
      received_at: '2025-03-09T06:00:00.000Z',
      device: deviceId('phone-jableh-0009'),
      organisation: 'Sahel Monitors',
    });
  });

  test('a report nobody has verified says unverified', () => {
    expect(toExportRecord(view({}))!.verification).toBe('unverified');
    expect(byId(IDS.beitYashout).verification).toBe('verified');
  });

  test('lists fields in conflict and marks a deleted report', () => {
    expect(byId(IDS.dalyehShops).conflicts).toBe('structures');
    expect(byId(IDS.qteilbiyyehDeleted).deleted).toBe(true);
    expect(byId(IDS.beitYashout)).toMatchObject({ conflicts: null, deleted: false });
  });

  test('a value of the wrong kind from a faulty device becomes an empty cell, not text in a number column', () => {
    const r = toExportRecord(view({ structures: '=1+1', looted: 'yes', point: { lat: 'x', lon: 35.9 }, narrative: 42 }))!;
    expect(r).toMatchObject({ structures: null, looted: null, lat: null, lon: 35.9, narrative: null });
  });

  test('a field of another type is not read into this one', () => {
    const r = toExportRecord(view({ structures: 2, service: 'water', households: 9 }))!;
    expect(r).toMatchObject({ structures: 2, service: null, idps_hh: null, affected_hh: null });
  });

  test('a report whose type is not known gives no record', () => {
    expect(toExportRecord(view({}, { type: undefined, unknownType: 'fire' }))).toBeUndefined();
  });

  test('each column takes the sensitivity of its field, and GPS accuracy is stricter than the point', () => {
    const sensitivity = (name: string) => columnSensitivity(REPORT_COLUMNS.find((c) => c.name === name)!);
    expect(sensitivity('narrative')).toBe('partner');
    expect(sensitivity('source_detail')).toBe('internal');
    expect(sensitivity('device')).toBe('internal');
    expect(sensitivity('lat')).toBe('partner');
    expect(sensitivity('geo_accuracy_m')).toBe('internal');
    expect(sensitivity('adm2_pcode')).toBe('public');
  });
});
