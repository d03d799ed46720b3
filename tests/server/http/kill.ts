/**
 * A real server process killed with SIGKILL while several clients push, again and again, on SQLite
 * and on PostgreSQL, each time restarted on the same data. Every op acknowledged before a kill is
 * there after it; once the clients have re-pushed everything above their watermarks, each device's
 * watermark is the number of ops it wrote and each op is stored once, under its own id and slot.
 *
 * The kill comes when a random number of answers has arrived in the round, so other requests are
 * in flight: some committed and unanswered, some not yet committed. Set KILL_SEED to replay a run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../../src/domain/op/sync.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import { openStore, type OpenStoreOptions } from '../../../src/server/store/index.ts';
import { postgresCluster, usePostgres } from '../store/dialects.ts';
import { newId, wireOp } from './harness.ts';
import { enrollBeforeKeys } from '../enrolled-before-keys.ts';
import { startServer, stubDist, type ServerProcess } from './process.ts';

const ROUNDS = 10;
const MONITORS = 4;
const OPS_PER_MONITOR = 150;
const COORDINATOR_OPS = 80;
const MAX_BATCH_SENT = 25;
const SEED = Number(process.env.KILL_SEED ?? Date.now() % 1_000_000_000);

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

interface Client {
  device: string;
  token: string;
  ops: WireOp[];
  /** The last watermark the server answered: re-push everything above it. */
  watermark: number;
}

/** Each monitor creates reports and edits them; the coordinator writes settings and edits monitors' reports. */
function writeOps(rand: (n: number) => number) {
  const monitors = Array.from({ length: MONITORS }, (_, m) => {
    const device = `monitor-${m}-kill`;
    const reports: string[] = [];
    const ops: WireOp[] = [];
    for (let seq = 1; seq <= OPS_PER_MONITOR; seq++) {
      if (reports.length === 0 || rand(4) === 0) {
        reports.push(newId());
        ops.push(wireOp(device, seq, 'create', reports.at(-1)!, { narrative: `report ${reports.length}` }));
      } else {
        ops.push(wireOp(device, seq, 'edit', reports[rand(reports.length)]!, { narrative: `edit ${seq}` }));
      }
    }
    return { device, ops, reports };
  });
  const everyReport = monitors.flatMap((m) => m.reports);
  const coordinatorOps = Array.from({ length: COORDINATOR_OPS }, (_, i) =>
    rand(3) === 0
      ? wireOp('coordinator-kill', i + 1, 'deployment', `setting${rand(5)}`)
      : wireOp('coordinator-kill', i + 1, 'edit', everyReport[rand(everyReport.length)]!, { verification: 'verified' }),
  );
  return { monitors, coordinatorOps };
}

async function post(url: string, path: string, token: string | undefined, body: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function enroll(url: string, code: string, device: string): Promise<string> {
  const res = await post(url, '/api/v1/enroll', undefined, { code, device });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

/**
 * The suite for one database. SQLite and PostgreSQL run from two test files so that they run side
 * by side: most of each is waiting for a server process to start.
 */
export function killDuringPushes(dialect: 'sqlite' | 'postgres'): void {
  if (dialect === 'postgres') usePostgres();
  describe(`a server killed during pushes (${dialect})`, () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    it(`loses no acknowledged op over ${ROUNDS} kills, and ends with every op stored once (seed ${SEED})`, async () => {
      const rand = random(SEED + (dialect === 'sqlite' ? 0 : 1));
      const dir = mkdtempSync(join(tmpdir(), 'rasid-kill-'));
      dirs.push(dir);
      const storeOptions: OpenStoreOptions =
        dialect === 'sqlite' ? { dataDir: join(dir, 'data') } : { databaseUrl: await (await postgresCluster()).createDatabase() };
      const env = {
        RASID_DIST: stubDist(dir),
        ...(storeOptions.dataDir ? { RASID_DATA: storeOptions.dataDir } : { DATABASE_URL: storeOptions.databaseUrl! }),
      };

      let server: ServerProcess = await startServer(env);
      try {
        // Enrollment, through the first coordinator link the new store printed.
        expect(server.firstLink).toBeDefined();
        const coordinatorToken = await enroll(server.url, new URL(server.firstLink!).hash.slice('#code='.length), 'coordinator-kill');
        const { monitors, coordinatorOps } = writeOps(rand);
        const clients: Client[] = [{ device: 'coordinator-kill', token: coordinatorToken, ops: coordinatorOps, watermark: 0 }];
        // The ops travel in clear, as on a base from before keys came first: its monitors are
        // written into the store as that base enrolled them.
        const store = await openStore(storeOptions);
        try {
          for (const m of monitors)
            clients.push({
              device: m.device,
              token: await enrollBeforeKeys(store, m.device, 'monitor', Date.now()),
              ops: m.ops,
              watermark: 0,
            });
        } finally {
          await store.close();
        }

        const acknowledged = new Set<string>();
        let epoch: string | null = null;
        let answers = 0;
        let onAnswer = () => {};

        /** Pushes the client's ops above its watermark in random batches until done, or the server dies. */
        const pushAll = async (client: Client) => {
          while (client.watermark < client.ops.length) {
            const batch = client.ops.slice(client.watermark, client.watermark + 1 + rand(MAX_BATCH_SENT));
            let answer: SyncResponse;
            try {
              const res = await post(server.url, '/api/v1/sync', client.token, { epoch, cursor: null, ops: batch, limit: 1 });
              expect(res.status, `seed ${SEED}`).toBe(200);
              answer = (await res.json()) as SyncResponse;
            } catch (error) {
              // The server was killed: this round is over for this client.
              if (error instanceof TypeError) return;
              throw error;
            }
            expect(
              answer.results.map((r) => r.status),
              `seed ${SEED}`,
            ).toEqual(batch.map(() => 'ack'));
            for (const r of answer.results) acknowledged.add(r.id);
            expect(answer.epoch, `seed ${SEED}`).toBe(epoch ?? answer.epoch);
            epoch = answer.epoch;
            client.watermark = answer.watermark;
            answers += 1;
            onAnswer();
          }
        };

        const storedIds = async () => {
          const store = await openStore(storeOptions);
          try {
            const rows = await store.db.selectFrom('ops').select(['id', 'device', 'device_seq', 'status']).execute();
            return rows;
          } finally {
            await store.close();
          }
        };

        let kills = 0;
        // Ops a kill caught committed but unanswered: the case a watermark exists for.
        let unanswered = 0;
        const started = performance.now();
        for (let round = 0; round < ROUNDS; round++) {
          const killAt = answers + 1 + rand(6);
          onAnswer = () => {
            if (answers === killAt) server.child.kill('SIGKILL');
          };
          await Promise.all(clients.map(pushAll));
          await server.kill('SIGKILL');
          kills += 1;

          const held = new Map<string, string>((await storedIds()).map((r) => [r.id, r.status]));
          const missing = [...acknowledged].filter((id) => held.get(id) !== 'ok');
          expect(missing, `acknowledged ops missing after kill ${kills} (seed ${SEED})`).toEqual([]);
          // Clients re-push these in the next round (they are above their watermarks), so each is counted once.
          unanswered += [...held.keys()].filter((id) => !acknowledged.has(id)).length;
          server = await startServer(env);
          expect(server.firstLink).toBeUndefined();
        }

        // The clients retry everything above their watermarks, with no more kills.
        onAnswer = () => {};
        await Promise.all(clients.map(pushAll));

        const final = await post(server.url, '/api/v1/sync', coordinatorToken, { epoch, cursor: null, ops: [], limit: 1 });
        const { watermarks } = (await final.json()) as SyncResponse;
        expect(watermarks?.map(({ device, deviceSeq }) => ({ device, deviceSeq }))).toEqual(
          clients.map((c) => ({ device: c.device, deviceSeq: c.ops.length })).sort((a, b) => (a.device < b.device ? -1 : 1)),
        );

        const rows = await storedIds();
        const written = clients.flatMap((c) => c.ops);
        expect(rows.length).toBe(written.length);
        expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
        const bySlot = new Map(rows.map((r) => [`${r.device}/${r.device_seq}`, r]));
        for (const op of written)
          expect(bySlot.get(`${op.device}/${op.deviceSeq}`), `seed ${SEED}`).toMatchObject({ id: op.id, status: 'ok' });
        expect(kills).toBe(ROUNDS);
        console.info(
          `${dialect}: ${kills} kills, ${written.length} ops from ${clients.length} devices, ${acknowledged.size} acknowledged before the last kill, ` +
            `${unanswered} found stored but unanswered at a kill (summed over kills), ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`,
        );
      } finally {
        await server.kill('SIGTERM');
      }
    }, 90_000);
  });
}
