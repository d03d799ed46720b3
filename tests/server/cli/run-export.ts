/**
 * For the export command's tests: a base store filled with the demo's scenario in clear, and
 * `npm run export` run on it as a real child process (tsx, as the npm script runs it), with only the
 * environment given.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bodyText } from '../../../src/domain/op/wire.ts';
import { DEMO_SEED, sampleGazetteer, syncBatches } from '../../../src/server/demo/seed.ts';
import { demoScenario } from '../../../src/server/demo/scenario.ts';
import { openStore, pushOps, type OpenStoreOptions } from '../../../src/server/store/index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The demo's `now`: a fixed day, so what the store holds is known to the test. */
export const DEMO_NOW = Date.UTC(2026, 2, 20, 9, 30);
export const demo = demoScenario({ seed: DEMO_SEED, now: DEMO_NOW, gazetteer: sampleGazetteer() });

/**
 * A base from before keys came first (decision 055), filled with the demo's scenario as such a base
 * held it: its devices enrolled with no keys, every op in clear (`v: 1`), pushed at the time each
 * phone synced. The command line's export of a base without a deployment key, its export log
 * included, is tested on it; the demo base `--demo` makes now is sealed, and exported with its key
 * file in export-sealed.test.ts.
 */
export async function clearDemoStore(options: OpenStoreOptions): Promise<void> {
  const store = await openStore(options);
  try {
    await store.db
      .insertInto('devices')
      .values(
        demo.devices.map((d) => ({
          device: d.device,
          role: d.role,
          token_hash: `demo-device-without-token:${d.device}`,
          revoked_at: null,
          created_at: demo.enrolledAt,
          public_keys: null,
        })),
      )
      .execute();
    for (const batch of syncBatches(demo)) {
      const ops = batch.ops.map((op) => {
        const { body: _body, sig: _sig, ...header } = op;
        return { header, body: bodyText(op) };
      });
      const answers = await pushOps(store.db, { caller: { device: batch.device, role: batch.role }, ops, now: batch.at });
      if (answers.some((a) => a.status !== 'ack')) throw new Error(`the base did not take the demo in clear: ${JSON.stringify(answers)}`);
    }
  } finally {
    await store.close();
  }
}

export function clearDemoSqliteDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rasid-export-'));
  return clearDemoStore({ dataDir: dir }).then(() => dir);
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runExport(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return runCommand('src/server/cli/export.ts', args, env);
}

/** A command-line script of the base's, run as its npm script runs it, with only the environment given. */
export function runCommand(script: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  const child = spawn('node_modules/.bin/tsx', [script, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The internal profile as JSON, from the store in `dataDir`, opened with `keyFiles` under `passphrase`. */
export function runInternalJson(dataDir: string, keyFiles: readonly string[], passphrase: string): Promise<Run> {
  return runExport(['--profile', 'internal', '--format', 'json', ...keyFiles.flatMap((f) => ['--key', f])], {
    RASID_DATA: dataDir,
    RASID_KEY_PASSPHRASE: passphrase,
  });
}

/** The first line the command says on standard error when it skipped ops. */
export const skippedLine = (n: number) =>
  `Skipped ${n} op${n === 1 ? '' : 's'} that could not be read, opened or checked; the desk lists them under quarantine.`;

/** Every value a partner must never see, from the demo as written: narratives, source details, devices, report ids, points. */
export function secretsOfDemo(): {
  narratives: string[];
  details: string[];
  devices: string[];
  reportIds: string[];
  coordinates: string[];
} {
  const ops = Object.values(demo.ops).flat();
  const values = (field: string) => [...new Set(ops.map((o) => o.body.changes[field]).filter((v) => v !== undefined))];
  const points = values('point') as { lat: number; lon: number }[];
  return {
    narratives: values('narrative') as string[],
    details: values('sourceDetail') as string[],
    devices: [...demo.devices.map((d) => d.device), 'base-cli'],
    reportIds: [...new Set(ops.filter((o) => o.kind === 'create').map((o) => o.reportId))],
    coordinates: [...new Set(points.flatMap((p) => [String(p.lat), String(p.lon)]))],
  };
}
