/** `npm run export` as a real process on a SQLite base holding the demo's scenario in clear, as a base from before keys came first held it. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/domain/csv.ts';
import { encodeHlc, nodeIdOf } from '../../../src/domain/hlc.ts';
import { cryptoRandom, newOpId, newReportId, type ReportId, type SettingId } from '../../../src/domain/ids.ts';
import { deleteBody, editBody, mergeOps, settingBody } from '../../../src/domain/merge.ts';
import type { Op, OpBody } from '../../../src/domain/op/op.ts';
import { bodyText } from '../../../src/domain/op/wire.ts';
import { exportLogEntryFromState, profileChanges, profileSettingId } from '../../../src/export/desk-settings.ts';
import { partnerProfile } from '../../../src/export/profile.ts';
import { newPseudonymKey } from '../../../src/export/pseudonym.ts';
import { MIN_REPORTS_PER_CELL } from '../../../src/export/aggregate.ts';
import { opFromStored } from '../../../src/server/cli/base-reports.ts';
import { DEMO_PROFILE } from '../../../src/server/demo/scenario.ts';
import { openStore, pushOps, type Store } from '../../../src/server/store/index.ts';
import { demo, DEMO_NOW, runExport, secretsOfDemo, clearDemoSqliteDir, type Run } from './run-export.ts';
import { deviceId, reportId, settingId } from '../../ids.ts';

const LIMIT = 60_000;
let data: string;
const made: string[] = [];
beforeAll(async () => {
  data = await clearDemoSqliteDir();
  made.push(data);
}, LIMIT);
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => runExport(args, { RASID_DATA: data });
const csvRows = (text: string) => {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new Error(`not CSV: line ${parsed.error.line}`);
  return parsed.rows.map((r) => r.cells);
};
const ok = (result: Run) => {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};
const deletedIds = () => {
  const ops = Object.values(demo.ops).flat();
  return new Set(ops.filter((o) => o.body.changes.deleted === true).map((o) => o.reportId));
};

/** The values of `list` found in `text`: what a partner file must not hold. */
const foundIn = (text: string, list: readonly string[]) => list.filter((value) => text.includes(value));

describe('npm run export', () => {
  it(
    'the internal CSV has the header, the HXL row, and one row per report, the deleted ones marked deleted',
    async () => {
      const [header, hxl, ...rows] = csvRows(ok(await run('--profile', 'internal', '--format', 'csv')));
      expect(header).toContain('narrative');
      expect(header).toContain('device');
      expect(hxl!.every((tag) => tag.startsWith('#'))).toBe(true);
      const id = header!.indexOf('id');
      const deleted = header!.indexOf('deleted');
      const ids = rows.map((r) => r[id]!);
      expect(new Set(ids)).toEqual(new Set(secretsOfDemo().reportIds));
      expect(ids).toHaveLength(300);
      expect(new Set(rows.filter((r) => r[deleted] === 'true').map((r) => r[id]))).toEqual(deletedIds());
      expect(rows.filter((r) => r[deleted] === 'false')).toHaveLength(300 - deletedIds().size);
    },
    LIMIT,
  );

  it(
    'the internal export does hold narratives, devices and points: the search below finds them when they are there',
    async () => {
      const text = ok(await run('--profile', 'internal', '--format', 'json'));
      const secrets = secretsOfDemo();
      // The demo devices that wrote reports; coordinators and the base only edit.
      expect(foundIn(text, secrets.devices)).toEqual(
        expect.arrayContaining(demo.devices.filter((d) => d.role === 'monitor').map((d) => d.device)),
      );
      expect(foundIn(text, secrets.narratives).length).toBeGreaterThan(250);
      expect(foundIn(text, secrets.coordinates).length).toBeGreaterThan(100);
    },
    LIMIT,
  );

  for (const format of ['csv', 'geojson', 'json'] as const) {
    it(
      `a partner ${format} of the demo holds no narrative, source detail, device id, report id or point`,
      async () => {
        const text = ok(await run('--profile', DEMO_PROFILE, '--format', format));
        const secrets = secretsOfDemo();
        expect(foundIn(text, secrets.narratives)).toEqual([]);
        expect(foundIn(text, secrets.details)).toEqual([]);
        expect(foundIn(text, secrets.devices)).toEqual([]);
        expect(foundIn(text, secrets.reportIds)).toEqual([]);
        // The profile allows no point at all (admin areas down to level 2), so no coordinate of any kind.
        expect(foundIn(text, secrets.coordinates)).toEqual([]);
        if (format === 'geojson') {
          const features = (JSON.parse(text) as { features: { geometry: unknown; properties: Record<string, unknown> }[] }).features;
          expect(features).toHaveLength(300 - deletedIds().size);
          for (const f of features) {
            expect(f.geometry).toBeNull();
            expect(Object.keys(f.properties).filter((k) => k.startsWith('adm3') || k === 'lat' || k === 'lon')).toEqual([]);
          }
        }
      },
      LIMIT,
    );
  }

  it(
    'an aggregate export counts reports by admin 2, week and type, and no cell holds fewer than 5',
    async () => {
      const [header, hxl, ...rows] = csvRows(ok(await run('--profile', DEMO_PROFILE, '--format', 'csv', '--aggregate', '2')));
      expect(header).toEqual(['adm2_pcode', 'adm2_name_en', 'adm2_name_ar', 'week', 'type', 'reports']);
      expect(hxl![5]).toBe('#event+num');
      expect(rows.length).toBeGreaterThan(3);
      for (const row of rows) expect(Number(row[5])).toBeGreaterThanOrEqual(MIN_REPORTS_PER_CELL);
      // Cells under 5 are left out, so the counts add up to no more than the reports there are.
      expect(rows.reduce((sum, r) => sum + Number(r[5]), 0)).toBeLessThanOrEqual(300 - deletedIds().size);
    },
    LIMIT,
  );

  it(
    "counts at a second level are refused, and two partners' counts at the deployment's level subtract to nothing",
    async () => {
      const dir = await clearDemoSqliteDir();
      made.push(dir);
      const id = settingId('profile:water-partner');
      const store = await openStore({ dataDir: dir });
      const water = partnerProfile({ name: 'water-partner', key: newPseudonymKey(cryptoRandom) });
      await pushDesk(store.db, 'demo-coordinator-1', id, settingBody(mergeOps(id, []), profileChanges(water), hlcAt('demo-coordinator-1')));
      await store.close();
      const counts = async (profile: string, level: string) => {
        const result = await runExport(['--profile', profile, '--format', 'csv', '--aggregate', level], { RASID_DATA: dir });
        return { result, cells: result.code === 0 ? csvRows(result.stdout).slice(2) : [] };
      };

      const shelter = await counts(DEMO_PROFILE, '2');
      const other = await counts('water-partner', '2');
      expect(ok(shelter.result)).not.toBe('');
      expect(shelter.cells.length).toBeGreaterThan(3);
      expect(recovered(shelter.cells, other.cells)).toEqual([]);
      // Each file says on standard error how many cells it left out, and the same number for both.
      const left = /Left out (\d+) cells of fewer than 5 reports; the file does not say which\./;
      expect(Number(left.exec(shelter.result.stderr)?.[1])).toBeGreaterThan(0);
      expect(left.exec(other.result.stderr)?.[1]).toBe(left.exec(shelter.result.stderr)?.[1]);

      // Governorates minus districts would give back districts left out: such a file is not made.
      const governorates = await counts('water-partner', '1');
      expect([governorates.result.code, governorates.result.stdout, governorates.result.stderr.trim()]).toEqual([2, '', ANOTHER_LEVEL]);
      expect(recovered(governorates.cells, shelter.cells)).toEqual([]);
    },
    LIMIT,
  );

  it(
    'a partner file says how many small groups it has, and --small-groups drop leaves their rows out',
    async () => {
      const kept = await run('--profile', DEMO_PROFILE, '--format', 'json');
      const dropped = await run('--profile', DEMO_PROFILE, '--format', 'json', '--small-groups', 'drop');
      const said = /^(\d+) groups of fewer than 5 reports of one type, week and district: (.*) \(--small-groups keep\|coarsen\|drop\)\.$/m;
      const [, groups, fate] = said.exec(kept.stderr) ?? [];
      expect(Number(groups)).toBeGreaterThan(0);
      expect(fate).toBe('kept as they are');
      expect(said.exec(dropped.stderr)?.slice(1)).toEqual([groups, 'left out']);
      const records = (r: Run) => (JSON.parse(ok(r)) as { records: unknown[] }).records.length;
      expect(records(kept)).toBe(300 - deletedIds().size);
      expect(records(dropped)).toBeLessThan(records(kept) - Number(groups) + 1);
    },
    LIMIT,
  );

  it(
    'the JSON counts say how many cells were left out',
    async () => {
      const result = await run('--profile', DEMO_PROFILE, '--format', 'json', '--aggregate', '2');
      const file = JSON.parse(ok(result)) as { profile: string; level: number; suppressedCells: number; records: unknown[] };
      expect([file.profile, file.level]).toEqual([DEMO_PROFILE, 2]);
      expect(file.suppressedCells).toBeGreaterThan(0);
      expect(result.stderr).toContain(`Left out ${file.suppressedCells} cells of fewer than 5 reports`);
    },
    LIMIT,
  );

  it(
    'an unknown profile ends with exit code 2 and a sentence naming the profiles there are, and logs nothing',
    async () => {
      const before = await logOf(data);
      const result = await run('--profile', 'no-such-partner', '--format', 'csv');
      expect(await logOf(data)).toEqual(before);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe(
        `There is no export profile named "no-such-partner" on this base. Profiles you can export with: internal, ${DEMO_PROFILE}.`,
      );
    },
    LIMIT,
  );

  it(
    'a bad format, an aggregate finer than the profile allows, and a missing store each end with exit code 2, never a stack trace',
    async () => {
      const format = await run('--profile', 'internal', '--format', 'xlsx');
      expect([format.code, format.stderr.split('\n')[0]]).toEqual([2, 'Unknown format "xlsx": use csv, geojson or json.']);
      const finer = await run('--profile', DEMO_PROFILE, '--format', 'csv', '--aggregate', '3');
      expect([finer.code, finer.stdout, finer.stderr.trim()]).toEqual([2, '', ANOTHER_LEVEL]);
      const nowhere = join(mkdtempSync(join(tmpdir(), 'rasid-none-')), 'data');
      made.push(nowhere);
      const missing = await runExport(['--profile', 'internal', '--format', 'csv'], { RASID_DATA: nowhere });
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim()).toBe(
        `There is no Rasid store in ${nowhere}. Set RASID_DATA to the server's data folder, or DATABASE_URL to its database.`,
      );
      // Looking for a store makes none.
      expect(existsSync(nowhere)).toBe(false);
      for (const r of [format, finer, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    LIMIT,
  );

  it(
    'each export is recorded in the log as an export: desk setting of the base, numbered on from the last',
    async () => {
      const out = join(data, 'partner.geojson');
      const before = await logOf(data);
      expect(ok(await run('--profile', DEMO_PROFILE, '--format', 'geojson', '--out', out))).toBe('');
      expect(JSON.parse(readFileSync(out, 'utf8')).features).toHaveLength(300 - deletedIds().size);
      ok(await run('--profile', 'internal', '--format', 'json', '--aggregate', '2', '--out', join(data, 'counts.json')));
      const after = await logOf(data);
      expect(after.entries.slice(0, before.entries.length)).toEqual(before.entries);
      expect(after.entries.slice(before.entries.length).map(({ profile, format, rows, by }) => ({ profile, format, rows, by }))).toEqual([
        { profile: DEMO_PROFILE, format: 'geojson', rows: 300 - deletedIds().size, by: 'base-cli' },
        { profile: 'internal', format: 'aggregate_json', rows: expect.any(Number), by: 'base-cli' },
      ]);
      expect(after.seqs).toEqual(after.seqs.map((_, i) => i + 1));
      expect(after.role).toBe('coordinator');
    },
    LIMIT,
  );

  it(
    'a partner profile named in Arabic on the desk is exported with by its name, however the terminal composes it',
    async () => {
      const dir = await clearDemoSqliteDir();
      made.push(dir);
      const name = 'مجموعة المأوى';
      const id = profileSettingId(name);
      const profile = partnerProfile({ name, key: newPseudonymKey(cryptoRandom) });
      const store = await openStore({ dataDir: dir });
      await pushDesk(
        store.db,
        'demo-coordinator-1',
        id,
        settingBody(mergeOps(id, []), profileChanges(profile), hlcAt('demo-coordinator-1')),
      );
      await store.close();
      const result = await runExport(['--profile', name.normalize('NFD'), '--format', 'json'], { RASID_DATA: dir });
      const file = JSON.parse(ok(result)) as { profile: string; records: unknown[] };
      expect(file.profile).toBe(name);
      expect(file.records.length).toBeGreaterThan(0);
    },
    LIMIT,
  );

  it(
    'rows with no admin area and no point are counted before the file is written',
    async () => {
      const dir = await clearDemoSqliteDir();
      made.push(dir);
      const args = ['--profile', 'internal', '--format', 'csv'];
      const before = await runExport(args, { RASID_DATA: dir });
      ok(before);
      expect(before.stderr).not.toMatch(/no place/);

      // A coordinator clears the admin area and the point of two reports, as a wrong filing would leave them.
      const store = await openStore({ dataDir: dir });
      const creates = await store.db.selectFrom('ops').select('report_id').where('kind', '=', 'create').orderBy('seq').execute();
      const deleted = deletedIds();
      const cleared = creates
        .map((c) => c.report_id)
        .filter((id) => !deleted.has(reportId(id)))
        .slice(0, 2);
      for (const [i, id] of cleared.entries()) {
        const rows = await store.db.selectFrom('ops').selectAll().where('report_id', '=', id).execute();
        const state = mergeOps(reportId(id), await opsOf(rows));
        const withoutPlace = editBody(state, { admin: undefined, point: undefined }, hlcAt('demo-coordinator-1', i));
        await pushDesk(store.db, 'demo-coordinator-1', reportId(id), withoutPlace, 'edit');
      }
      await store.close();

      const after = await runExport(args, { RASID_DATA: dir });
      const [header, , ...lines] = csvRows(ok(after));
      const said = /^(\d+) of (\d+) rows will carry no place \(no admin area and no point\)/m.exec(after.stderr);
      expect(said?.slice(1).map(Number)).toEqual([2, lines.length]);
      // The file agrees: exactly those two rows have no admin column and no point filled.
      const placing = header!.flatMap((name, at) => (/^adm\d_/.test(name) || name === 'lat' || name === 'lon' ? [at] : []));
      const idAt = header!.indexOf('id');
      const deletedAt = header!.indexOf('deleted');
      // A deleted report's row is empty but for saying so: it lacks no place.
      const unplaced = lines
        .filter((cells) => cells[deletedAt] !== 'true' && placing.every((at) => cells[at] === ''))
        .map((cells) => cells[idAt]);
      expect(unplaced.sort()).toEqual([...cleared].sort());
    },
    LIMIT,
  );

  it(
    'a partner profile removed on the desk, or in conflict, is refused with exit code 2 and says why',
    async () => {
      const dir = await clearDemoSqliteDir();
      made.push(dir);
      const id = settingId(`profile:${DEMO_PROFILE}`);
      const store = await openStore({ dataDir: dir });
      const ops = await store.db.selectFrom('ops').selectAll().where('report_id', '=', id).execute();
      const profile = mergeOps(id, await opsOf(ops));
      // Two coordinators choose another date grain apart: each supersedes the version it saw.
      await pushDesk(store.db, 'demo-coordinator-1', id, settingBody(profile, { dates: 'day' }, hlcAt('demo-coordinator-1')));
      await pushDesk(store.db, 'demo-coordinator-2', id, settingBody(profile, { dates: 'week' }, hlcAt('demo-coordinator-2')));
      await store.close();
      const conflicted = await runExport(['--profile', DEMO_PROFILE, '--format', 'csv'], { RASID_DATA: dir });
      expect([conflicted.code, conflicted.stdout, conflicted.stderr.trim()]).toEqual([
        2,
        '',
        `The profile "${DEMO_PROFILE}" has a conflict in dates (coordinators changed it apart); choose on the desk, then export.`,
      ]);

      const again = await openStore({ dataDir: dir });
      const now = await opsOf(await again.db.selectFrom('ops').selectAll().where('report_id', '=', id).execute());
      await pushDesk(again.db, 'demo-coordinator-1', id, deleteBody(mergeOps(id, now), hlcAt('demo-coordinator-1', 1)));
      await again.close();
      const removed = await runExport(['--profile', DEMO_PROFILE, '--format', 'csv'], { RASID_DATA: dir });
      expect([removed.code, removed.stdout, removed.stderr.trim()]).toEqual([
        2,
        '',
        `The profile "${DEMO_PROFILE}" was removed on the desk; it can no longer be exported with.`,
      ]);
    },
    LIMIT,
  );

  it(
    'an op whose body cannot be read is skipped and counted on standard error; the export goes on',
    async () => {
      const dir = await clearDemoSqliteDir();
      made.push(dir);
      const store = await openStore({ dataDir: dir });
      const header = {
        v: 1 as const,
        id: newOpId(Date.now(), (n) => new Uint8Array(n).fill(3)),
        kind: 'create' as const,
        reportId: newReportId(Date.now(), (n) => new Uint8Array(n).fill(4)),
        device: deviceId('broken-phone-01'),
        deviceSeq: 1,
      };
      expect(
        await pushOps(store.db, {
          caller: { device: deviceId('broken-phone-01'), role: 'monitor' },
          ops: [{ header, body: '{"hlc": not json' }],
          now: Date.now(),
        }),
      ).toEqual([{ id: header.id, status: 'ack' }]);
      await store.close();
      const result = await runExport(['--profile', 'internal', '--format', 'json'], { RASID_DATA: dir });
      expect(result.code).toBe(0);
      expect(result.stderr.split('\n')[0]).toBe(
        'Skipped 1 op that could not be read, opened or checked; the desk lists them under quarantine.',
      );
      expect((JSON.parse(result.stdout) as { records: unknown[] }).records).toHaveLength(300);
    },
    LIMIT,
  );
});

const ANOTHER_LEVEL =
  'This deployment counts every aggregate at admin level 2, under every profile, so that counts at two levels cannot be subtracted to give back the cells left out (docs/decisions.md, 052): use --aggregate 2.';

/**
 * What subtracting one counts file from another gives back: for each cell of `coarse` (at its own
 * level, or the same one), its count minus the counts `fine` shows inside it, where that is more than
 * nothing, and so the reports of cells `fine` left out. Rows are [pcode, en, ar, week, type, reports].
 */
function recovered(coarse: string[][], fine: string[][]): string[] {
  const out: string[] = [];
  for (const [pcode, , , week, type, reports] of coarse) {
    const inside = fine.filter((f) => f[0]!.startsWith(pcode!) && f[3] === week && f[4] === type);
    const rest = Number(reports) - inside.reduce((sum, f) => sum + Number(f[5]), 0);
    if (rest > 0) out.push(`${pcode} ${week} ${type}: ${rest}`);
  }
  return out;
}

/** Stored version-1 ops as Ops: these tests' bases have no deployment key. */
async function opsOf(rows: Parameters<typeof opFromStored>[0][]): Promise<Op[]> {
  return Promise.all(
    rows.map(async (row) => {
      const read = await opFromStored(row);
      if (!read.ok) throw new Error(read.reason);
      return read.op;
    }),
  );
}

const hlcAt = (device: string, later = 0) => encodeHlc({ wall: DEMO_NOW + 60_000 * (1 + later), counter: 0, node: nodeIdOf(device) });

/** A desk op (or, with `kind`, an edit of a report) from a demo coordinator, next in its sequence, through the store's push. */
async function pushDesk(
  db: Store['db'],
  name: string,
  reportId: SettingId | ReportId,
  body: OpBody,
  kind: 'desk' | 'edit' = 'desk',
): Promise<void> {
  const device = deviceId(name);
  const last = await db
    .selectFrom('ops')
    .select('device_seq')
    .where('device', '=', device)
    .orderBy('device_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const op = {
    v: 1,
    id: newOpId(Date.now(), cryptoRandom),
    kind,
    reportId,
    device,
    deviceSeq: Number(last?.device_seq ?? 0) + 1,
    body,
  } as Op;
  const { body: _body, ...header } = op;
  expect(await pushOps(db, { caller: { device, role: 'coordinator' }, ops: [{ header, body: bodyText(op) }], now: Date.now() })).toEqual([
    { id: op.id, status: 'ack' },
  ]);
}

/** The export log as a desk reads it, and the base device's numbers and role. */
async function logOf(dir: string) {
  const store = await openStore({ dataDir: dir });
  try {
    const rows = await store.db.selectFrom('ops').selectAll().where('report_id', 'like', 'export:%').orderBy('seq').execute();
    const entries = (await opsOf(rows)).map((op) => exportLogEntryFromState(mergeOps(settingId(op.reportId), [op]))!);
    const seqs = (
      await store.db.selectFrom('ops').select('device_seq').where('device', '=', deviceId('base-cli')).orderBy('device_seq').execute()
    ).map((r) => Number(r.device_seq));
    const device = await store.db.selectFrom('devices').select('role').where('device', '=', deviceId('base-cli')).executeTakeFirst();
    return { entries, seqs, role: device?.role };
  } finally {
    await store.close();
  }
}
