// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { listExports, logExport } from '../../../src/app/desk/export-log.ts';
import { writeOp } from '../../../src/app/store/write-op.ts';
import { settingBody } from '../../../src/domain/merge.ts';
import { exportLogId } from '../../../src/export/desk-settings.ts';
import { syncDevice, T0, trackDeployments } from '../sync/sync-fixtures.ts';

const deployments = trackDeployments();

const deployment = () => deployments.twoCoordinatorsAndAMonitor();

const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('the export log', () => {
  test('an export is one desk op naming this device, and reads back as it was written', async () => {
    const { first } = await deployment();
    const id = await logExport(first.writer, { profile: 'internal', format: 'csv', rows: 312, at: at(1) });
    expect(id).toMatch(/^export:[0-9a-f-]{36}$/);
    const ops = await first.db.ops.toArray();
    expect(ops.map((o) => [o.kind, o.reportId])).toEqual([['desk', id]]);
    expect(await listExports(first.db)).toEqual([{ id, profile: 'internal', format: 'csv', rows: 312, at: at(1), by: first.device }]);
  });

  test('entries from every coordinator meet once synced, newest first, and never reach a phone', async () => {
    const { first, second, monitor } = await deployment();
    await logExport(first.writer, { profile: 'internal', format: 'csv', rows: 312, at: at(1) });
    await logExport(second.writer, { profile: 'shelter-cluster', format: 'geojson', rows: 298, at: at(3) });
    await logExport(first.writer, { profile: 'aggregate-adm2', format: 'aggregate_csv', rows: 14, at: at(2) });
    for (const d of [first, second, first, monitor]) await syncDevice(d);

    const log = await listExports(first.db);
    expect(log.map((e) => [e.at, e.by, e.profile, e.format, e.rows])).toEqual([
      [at(3), second.device, 'shelter-cluster', 'geojson', 298],
      [at(2), first.device, 'aggregate-adm2', 'aggregate_csv', 14],
      [at(1), first.device, 'internal', 'csv', 312],
    ]);
    expect(await listExports(second.db)).toEqual(log);
    expect(await listExports(monitor.db)).toEqual([]);
  });

  test('two exports at the same instant stay two entries, in the same order on every device', async () => {
    const { first, second } = await deployment();
    await logExport(first.writer, { profile: 'internal', format: 'json', rows: 5, at: at(1) });
    await logExport(second.writer, { profile: 'internal', format: 'json', rows: 6, at: at(1) });
    for (const d of [first, second, first]) await syncDevice(d);
    const log = await listExports(first.db);
    expect(log.map((e) => e.rows).sort()).toEqual([5, 6]);
    expect(await listExports(second.db)).toEqual(log);
  });

  test('an entry that is not a valid log entry is refused when written here, and left out when it arrives damaged', async () => {
    const { first } = await deployment();
    await expect(logExport(first.writer, { profile: 'internal', format: 'csv', rows: -1, at: at(1) })).rejects.toThrow();
    await expect(logExport(first.writer, { profile: 'internal', format: 'xlsx' as never, rows: 1, at: at(1) })).rejects.toThrow();
    expect(await first.db.ops.count()).toBe(0);

    // Written past the schema, as a faulty device could.
    await writeOp(first.writer, exportLogId('0190a000-0000-7000-8000-0000000000aa'), (state, hlc) => ({
      kind: 'desk',
      body: settingBody(state, { profile: 'internal', format: 'csv', rows: 'many', at: at(1), by: first.device }, hlc),
    }));
    const good = await logExport(first.writer, { profile: 'internal', format: 'csv', rows: 7, at: at(2) });
    expect((await listExports(first.db)).map((e) => e.id)).toEqual([good]);
  });
});
