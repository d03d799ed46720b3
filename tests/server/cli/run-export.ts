/**
 * For the export command's tests: a base store filled with the demo, and `npm run export` run on it
 * as a real child process (tsx, as the npm script runs it), with only the environment given.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SEED, sampleGazetteer, seedDemo } from '../../../src/server/demo/seed.ts';
import { demoScenario } from '../../../src/server/demo/scenario.ts';
import { openStore, type OpenStoreOptions } from '../../../src/server/store/index.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** The demo's `now`: a fixed day, so what the store holds is known to the test. */
export const DEMO_NOW = Date.UTC(2026, 2, 20, 9, 30);
export const demo = demoScenario({ seed: DEMO_SEED, now: DEMO_NOW, gazetteer: sampleGazetteer() });

export async function seededStore(options: OpenStoreOptions): Promise<void> {
  const store = await openStore(options);
  try {
    await seedDemo(store, { now: DEMO_NOW });
  } finally {
    await store.close();
  }
}

export function seededSqliteDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rasid-export-'));
  return seededStore({ dataDir: dir }).then(() => dir);
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runExport(args: readonly string[], env: Record<string, string>): Promise<Run> {
  const child = spawn('node_modules/.bin/tsx', ['src/server/cli/export.ts', ...args], {
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
