/**
 * `npm run export` on a SQLite base whose ops are sealed: opened with the deployment key file, and
 * refused without it; the demo base too, with the demo key file it writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/domain/csv.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { setDeploymentKey } from '../../../src/server/enrollment/deployment-key.ts';
import { openStore } from '../../../src/server/store/index.ts';
import { clearDemoSqliteDir, DEMO_NOW, runExport, secretsOfDemo, type Run } from './run-export.ts';
import { DEMO_KEY_FILE, DEMO_KEY_PASSPHRASE } from '../../../src/server/demo/demo-keys.ts';
import { saveDemoFiles, seedDemo } from '../../../src/server/demo/seed.ts';
import { DEMO_PROFILE } from '../../../src/server/demo/scenario.ts';
import { keyFileIn, PASSPHRASE, sealedBase, type SealedBase } from './sealed-base.ts';

const LIMIT = 60_000;
const SEALED_SENTENCE =
  'This base holds sealed reports: pass --key with the deployment key file, its passphrase in RASID_KEY_PASSPHRASE or typed when asked.';

let dir: string;
let base: SealedBase & { keyFile: string };
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-sealed-export-'));
  base = await sealedBase({ dataDir: dir }, dir);
}, LIMIT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) => runExport(args, { RASID_DATA: dir, ...env });
const withKey = (...args: string[]) => run([...args, '--key', base.keyFile], { RASID_KEY_PASSPHRASE: PASSPHRASE });
const refused = (result: Run) => {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
  return [result.code, result.stderr.trim()];
};
const opsInStore = async (dataDir = dir) => {
  const store = await openStore({ dataDir });
  try {
    return await store.db.selectFrom('ops').select(['id', 'body', 'device']).orderBy('seq').execute();
  } finally {
    await store.close();
  }
};

describe('npm run export on a sealed base', () => {
  it(
    'with the key file and its passphrase, the internal CSV holds each sealed report as written, and the coordinator’s sealed edit counts',
    async () => {
      const result = await withKey('--profile', 'internal', '--format', 'csv');
      expect(result.code, result.stderr).toBe(0);
      const parsed = parseCsv(result.stdout);
      if (!parsed.ok) throw new Error('not CSV');
      const [header, _hxl, ...rows] = parsed.rows.map((r) => r.cells);
      const column = (name: string) => header!.indexOf(name);
      expect(rows.map((r) => r[column('id')])).toEqual(expect.arrayContaining(base.reports.map((r) => r.id)));
      expect(rows).toHaveLength(base.reports.length);
      for (const report of base.reports) {
        const row = rows.find((r) => r[column('id')] === report.id)!;
        expect(row[column('narrative')]).toContain(report.marker);
      }
      expect(rows.find((r) => r[column('id')] === base.verified)![column('verification')]).toBe('verified');
      for (const marker of base.leftOut) expect(result.stdout).not.toContain(marker);
    },
    LIMIT,
  );

  it(
    'the store itself holds none of the narratives: its bodies are ciphertext',
    async () => {
      const rows = await opsInStore();
      expect(rows.length).toBeGreaterThan(base.markers.length);
      for (const row of rows) {
        expect(base.markers.filter((marker) => row.body.includes(marker))).toEqual([]);
        // Only the roster travels in clear, and it has no narrative field; a sealed body names no field at all.
        expect(row.body).not.toContain('narrative');
      }
    },
    LIMIT,
  );

  it(
    'an op whose ciphertext was changed by one character, and one from a device no roster names, are left out and counted on standard error',
    async () => {
      const result = await withKey('--profile', 'internal', '--format', 'json');
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines[0]).toBe('Skipped 2 ops that could not be read, opened or checked; the desk lists them under quarantine.');
      for (const marker of base.markers) expect(result.stderr).not.toContain(marker);
      expect((JSON.parse(result.stdout) as { records: unknown[] }).records).toHaveLength(base.reports.length);
    },
    LIMIT,
  );

  it(
    'is not logged in the store, and says so: the command line has no device key to sign the entry with',
    async () => {
      const before = await opsInStore();
      const result = await withKey('--profile', 'internal', '--format', 'csv', '--out', join(dir, 'all.csv'));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(
        `Exported ${base.reports.length} rows with profile internal (csv) to ${join(dir, 'all.csv')}; not recorded in the store's export log, as the command line has no device key to sign the entry with.`,
      );
      expect(await opsInStore()).toEqual(before);
    },
    LIMIT,
  );

  it(
    'without --key, ends with exit code 2 and one sentence saying to pass the key file',
    async () => {
      expect(refused(await run(['--profile', 'internal', '--format', 'csv']))).toEqual([2, SEALED_SENTENCE]);
    },
    LIMIT,
  );

  it(
    'a wrong passphrase ends with exit code 2 and one sentence, which does not repeat it',
    async () => {
      const result = await run(['--profile', 'internal', '--format', 'csv', '--key', base.keyFile], {
        RASID_KEY_PASSPHRASE: 'wrong horse battery staple',
      });
      expect(refused(result)).toEqual([2, `The passphrase does not open the key file ${base.keyFile} (or the file was changed).`]);
      expect(result.stderr).not.toContain('horse');
    },
    LIMIT,
  );

  it(
    'with no passphrase given and no terminal to ask on, ends with exit code 2 and says where the passphrase comes from',
    async () => {
      expect(refused(await run(['--profile', 'internal', '--format', 'csv', '--key', base.keyFile]))).toEqual([
        2,
        `The key file ${base.keyFile} needs its passphrase: set RASID_KEY_PASSPHRASE, or run the command on a terminal to be asked for it.`,
      ]);
    },
    LIMIT,
  );

  it(
    'a file that is not a key file, a missing file and another deployment’s key file each end with exit code 2 and one sentence',
    async () => {
      const notKey = join(dir, 'notes.json');
      writeFileSync(notKey, JSON.stringify({ kind: 'rasid-deployment-key', v: 1, note: 'not a key' }));
      const env = { RASID_KEY_PASSPHRASE: PASSPHRASE };
      expect(refused(await run(['--profile', 'internal', '--format', 'csv', '--key', notKey], env))).toEqual([
        2,
        `${notKey} is not a Rasid deployment key file.`,
      ]);
      const missing = join(dir, 'nowhere.json');
      expect(refused(await run(['--profile', 'internal', '--format', 'csv', '--key', missing], env))).toEqual([
        2,
        `Cannot read the key file ${missing}: ENOENT.`,
      ]);
      const other = await keyFileIn(dir, 'other-deployment.json');
      expect(refused(await run(['--profile', 'internal', '--format', 'csv', '--key', other.file], env))).toEqual([
        2,
        `The key file ${other.file} holds another deployment's key than this base's.`,
      ]);
    },
    LIMIT,
  );

  it(
    'a base that has a deployment key but holds version-1 ops only still exports without --key, and is not logged in the store',
    async () => {
      const demoDir = await clearDemoSqliteDir();
      try {
        const store = await openStore({ dataDir: demoDir });
        try {
          const set = await setDeploymentKey(store.db, (await generateKeyPair('x25519')).publicKey.text);
          expect(set.ok).toBe(true);
        } finally {
          await store.close();
        }
        const before = await opsInStore(demoDir);
        const result = await runExport(['--profile', 'internal', '--format', 'json'], { RASID_DATA: demoDir });
        expect(result.code, result.stderr).toBe(0);
        expect((JSON.parse(result.stdout) as { records: unknown[] }).records).toHaveLength(300);
        expect(result.stderr.trim()).toBe(
          "Exported 300 rows with profile internal (json); not recorded in the store's export log, as the command line has no device key to sign the entry with.",
        );
        expect(await opsInStore(demoDir)).toEqual(before);
      } finally {
        rmSync(demoDir, { recursive: true, force: true });
      }
    },
    LIMIT,
  );
  it(
    "the demo base exports with the demo key file and its printed passphrase, its reports and its partner's profile opened",
    async () => {
      const demoDir = mkdtempSync(join(tmpdir(), 'rasid-demo-export-'));
      try {
        const store = await openStore({ dataDir: demoDir });
        try {
          saveDemoFiles(demoDir, await seedDemo(store, { now: DEMO_NOW }));
        } finally {
          await store.close();
        }
        const demoRun = (args: string[], env: Record<string, string> = {}) => runExport(args, { RASID_DATA: demoDir, ...env });
        expect(refused(await demoRun(['--profile', 'internal', '--format', 'json']))).toEqual([2, SEALED_SENTENCE]);
        const key = { RASID_KEY_PASSPHRASE: DEMO_KEY_PASSPHRASE };
        const internal = await demoRun(['--profile', 'internal', '--format', 'json', '--key', join(demoDir, DEMO_KEY_FILE)], key);
        expect(internal.code, internal.stderr).toBe(0);
        expect((JSON.parse(internal.stdout) as { records: unknown[] }).records).toHaveLength(300);
        const narratives = secretsOfDemo().narratives.filter((n) => internal.stdout.includes(JSON.stringify(n).slice(1, -1)));
        expect(narratives.length).toBeGreaterThan(250);
        // The partner's profile is a desk op, sealed like the reports: the key file opens it too.
        const partner = await demoRun(['--profile', DEMO_PROFILE, '--format', 'csv', '--key', join(demoDir, DEMO_KEY_FILE)], key);
        expect(partner.code, partner.stderr).toBe(0);
        expect(secretsOfDemo().narratives.filter((n) => partner.stdout.includes(n))).toEqual([]);
      } finally {
        rmSync(demoDir, { recursive: true, force: true });
      }
    },
    LIMIT,
  );
});
