/**
 * What a seized base gives away. Phones and desks with their own keys sync reports whose every text
 * field holds a unique marker through a real server process, on SQLite and on PostgreSQL; the store
 * is then dumped as plain text (`sqlite3 .dump`, `pg_dump --format=plain`). One control marker is
 * written on purpose where the base must read it, a device id in the clear header: the dump holds
 * it, so the search is shown to work, and none of the report markers.
 */
// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createReport, editReport } from '../../../src/app/store/reports.ts';
import { runSync } from '../../../src/app/sync/engine.ts';
import { opKeys } from '../../../src/app/sync/op-keys.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import type { Fetch } from '../../../src/app/sync/transport.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import type { Role } from '../../../src/domain/roles.ts';
import { viewOf } from '../../../src/domain/merge.ts';
import { SQLITE_FILE_NAME } from '../../../src/server/store/open.ts';
import { makeDevice, ORIGIN, type Device } from '../../app/sync/sync-fixtures.ts';
import { startServer, stubDist, type ServerProcess } from '../http/process.ts';
import { postgresCluster, usePostgres } from './dialects.ts';
import { deviceId } from '../../ids.ts';
import type { ReportId } from '../../../src/domain/ids.ts';

usePostgres();

const RUN = Math.random().toString(36).slice(2, 8);
/** In a clear header field on purpose: the monitor's device id. */
const CONTROL = `ctlmark${RUN}`;
const marker = (field: string, n: number) => `mk${RUN}${field}${n}`;
/** Coordinates are report content too: digits no other value in the store has. */
const lat = (n: number) => 35.1 + n / 1000 + 0.000_037_1;

const dirs: string[] = [];
const devices: Device[] = [];
afterAll(async () => {
  for (const d of devices.splice(0)) await d.db.delete();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A device with its own key pairs, enrolled through the process with a one-time code. */
async function enrolled(server: ServerProcess, fetch: Fetch, code: string, device: string, role: Role) {
  const [agreement, signing] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
  const res = await fetch(`${ORIGIN}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, device, keys: { agreement: agreement.publicKey.text, signing: signing.publicKey.text } }),
  });
  expect(res.status, server.output()).toBe(201);
  const { token } = (await res.json()) as { token: string };
  const d = makeDevice(`dump-${device}`, deviceId(device), role, token, fetch);
  devices.push(d);
  return { d, agreement, signing };
}

async function codeFor(fetch: Fetch, by: Device, role: Role): Promise<string> {
  const res = await fetch(`${ORIGIN}/api/v1/enrollment-codes`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${by.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ role }),
  });
  return ((await res.json()) as { code: string }).code;
}

/** Fills the base behind `server` through the app's own sync, and returns the markers it wrote. */
async function fill(server: ServerProcess): Promise<{ markers: string[]; coordinator: Device; reportIds: ReportId[] }> {
  const fetch: Fetch = (url, init) => globalThis.fetch(url.replace(ORIGIN, server.url), init);
  const firstCode = new URLSearchParams(new URL(server.firstLink!).hash.slice(1)).get('code')!;
  const [deployment, root] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
  const c = await enrolled(server, fetch, firstCode, `coorddump${RUN}`, 'coordinator');
  c.d.sync.keys = opKeys(
    c.d.device,
    { agreement: c.agreement, signing: c.signing },
    { deploymentPublic: deployment.publicKey, deploymentPrivate: deployment },
  );
  const put = await fetch(`${ORIGIN}/api/v1/deployment-key`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${c.d.token}`, 'Content-Type': 'application/json' },
    // The root with it: the base enrolls no monitor before both.
    body: JSON.stringify({ key: deployment.publicKey.text, root: root.publicKey.text }),
  });
  expect(put.status).toBe(201);
  const m = await enrolled(server, fetch, await codeFor(fetch, c.d, 'monitor'), CONTROL, 'monitor');
  m.d.sync.keys = opKeys(m.d.device, { agreement: m.agreement, signing: m.signing }, { deploymentPublic: deployment.publicKey });
  await keepRoster(c.d.writer, { origin: ORIGIN, token: c.d.token, fetch }, c.d.device);
  await runSync(c.d.sync);

  const markers: string[] = [];
  const reportIds: ReportId[] = [];
  const mark = (field: string, n: number) => {
    const text = marker(field, n);
    markers.push(text);
    return text;
  };
  for (let n = 0; n < 6; n++) {
    const common = {
      eventDate: { precision: 'exact' as const, date: '2025-03-07' },
      placeName: mark('place', n),
      narrative: `${mark('narrative', n)} احترقت المحلات في السوق`,
      sourceKind: 'eyewitness' as const,
      sourceDetail: mark('source', n),
      point: { lat: lat(n), lon: 35.95 },
      admin: { adm2: { pcode: 'SY0502', en: mark('admin', n), ar: 'بانياس' } },
    };
    markers.push(String(lat(n)));
    const id =
      n % 2 === 0
        ? await createReport(m.d.writer, {
            ...common,
            type: 'damage',
            structureKind: 'shop',
            structures: 3,
            damageLevel: 'destroyed',
            damageCause: 'burning',
          })
        : await createReport(m.d.writer, {
            ...common,
            type: 'displacement',
            households: 12,
            individuals: 50,
            origin: { name: mark('origin', n) },
            destination: { name: mark('destination', n) },
            shelter: 'host_family',
          });
    reportIds.push(id);
  }
  await runSync(m.d.sync);
  await runSync(c.d.sync);
  await editReport(c.d.writer, reportIds[0]!, { narrative: mark('correction', 0), verification: 'verified' });
  await runSync(c.d.sync);
  await runSync(m.d.sync);
  return { markers, coordinator: c.d, reportIds };
}

const SEALED_BODY = /\{"ct":"[A-Za-z0-9_-]{40}/;

/**
 * Fills a base started with `env` through sync, stops it, and checks the text `dump` makes of its
 * store: the control marker and the sealed bodies are there, no report marker is.
 */
async function fillAndDump(env: Record<string, string>, dump: () => string) {
  const dir = mkdtempSync(join(tmpdir(), 'rasid-dump-'));
  dirs.push(dir);
  const server = await startServer({ ...env, RASID_DIST: stubDist(dir) });
  try {
    const { markers, coordinator, reportIds } = await fill(server);
    // The markers did reach the base and back: the coordinator's desk reads them.
    const view = viewOf((await coordinator.db.reports.get(reportIds[1]!))!.state);
    expect(view.values.placeName).toBe(marker('place', 1));
    await server.kill('SIGTERM');
    const text = dump();
    expect(text).toContain(CONTROL);
    expect(text).toContain('CREATE TABLE');
    // The sealed bodies are in the dump: what is absent is absent from them.
    expect(text).toMatch(SEALED_BODY);
    expect(markers.filter((m) => text.includes(m))).toEqual([]);
  } finally {
    await server.kill('SIGKILL');
  }
}

const asText = { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 } as const;

describe('a dump of the base store holds headers and ciphertext only', () => {
  test('SQLite: `sqlite3 .dump` shows the control marker and no report marker', async () => {
    const data = mkdtempSync(join(tmpdir(), 'rasid-dump-data-'));
    dirs.push(data);
    await fillAndDump({ RASID_DATA: data }, () => execFileSync('sqlite3', [join(data, SQLITE_FILE_NAME), '.dump'], asText));
  }, 60_000);

  test('PostgreSQL: `pg_dump --format=plain` shows the control marker and no report marker', async () => {
    const url = await (await postgresCluster()).createDatabase();
    await fillAndDump({ DATABASE_URL: url }, () => execFileSync('pg_dump', ['--format=plain', '--compress=0', '--no-owner', url], asText));
  }, 90_000);
});
