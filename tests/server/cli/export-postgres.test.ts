/** `npm run export` on a base whose store is PostgreSQL (DATABASE_URL), in a real throwaway cluster. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DEMO_PROFILE } from '../../../src/server/demo/scenario.ts';
import { openStore } from '../../../src/server/store/index.ts';
import { postgresCluster, usePostgres } from '../store/dialects.ts';
import { runExport, secretsOfDemo, clearDemoStore } from './run-export.ts';
import { PASSPHRASE, sealedBase } from './sealed-base.ts';
import { evidenceBase } from './evidence-base.ts';

usePostgres();
const LIMIT = 90_000;

it(
  'exports the demo from PostgreSQL as from SQLite, redacted for a partner, and logs it in the same database',
  async () => {
    const url = await (await postgresCluster()).createDatabase();
    await clearDemoStore({ databaseUrl: url });
    const env = { DATABASE_URL: url };

    const internal = await runExport(['--profile', 'internal', '--format', 'json'], env);
    expect(internal.code, internal.stderr).toBe(0);
    expect((JSON.parse(internal.stdout) as { records: unknown[] }).records).toHaveLength(300);

    const partner = await runExport(['--profile', DEMO_PROFILE, '--format', 'csv'], env);
    expect(partner.code, partner.stderr).toBe(0);
    const secrets = secretsOfDemo();
    for (const list of [secrets.narratives, secrets.devices, secrets.coordinates, secrets.reportIds])
      expect(list.filter((v) => partner.stdout.includes(v))).toEqual([]);

    const store = await openStore({ databaseUrl: url });
    try {
      const logged = await store.db
        .selectFrom('ops')
        .select(['device', 'device_seq', 'kind'])
        .where('report_id', 'like', 'export:%')
        .orderBy('seq')
        .execute();
      expect(logged.map((r) => [r.device, Number(r.device_seq), r.kind])).toEqual([
        ['base-cli', 1, 'desk'],
        ['base-cli', 2, 'desk'],
      ]);
    } finally {
      await store.close();
    }
  },
  LIMIT,
);

it(
  'opens a sealed base in PostgreSQL with the deployment key file, and refuses it without',
  async () => {
    const url = await (await postgresCluster()).createDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'rasid-sealed-pg-'));
    try {
      const base = await sealedBase({ databaseUrl: url }, dir);
      const opened = await runExport(['--profile', 'internal', '--format', 'json', '--key', base.keyFile], {
        DATABASE_URL: url,
        RASID_KEY_PASSPHRASE: PASSPHRASE,
      });
      expect(opened.code, opened.stderr).toBe(0);
      for (const report of base.reports) expect(opened.stdout).toContain(report.marker);
      for (const marker of base.leftOut) expect(opened.stdout).not.toContain(marker);
      expect(opened.stderr.split('\n')[0]).toBe(
        'Skipped 2 ops that could not be read, opened or checked; the desk lists them under quarantine.',
      );

      const store = await openStore({ databaseUrl: url });
      try {
        const bodies = await store.db.selectFrom('ops').select('body').execute();
        expect(bodies.filter((r) => base.markers.some((marker) => r.body.includes(marker)))).toEqual([]);
      } finally {
        await store.close();
      }

      const without = await runExport(['--profile', 'internal', '--format', 'json'], { DATABASE_URL: url });
      expect([without.code, without.stdout, without.stderr.trim()]).toEqual([
        2,
        '',
        'This base holds sealed reports: pass --key with the deployment key file, its passphrase in RASID_KEY_PASSPHRASE or typed when asked.',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  LIMIT,
);

it(
  'a database with no Rasid store in it is refused with exit code 2, and left without one',
  async () => {
    const url = await (await postgresCluster()).createDatabase();
    const result = await runExport(['--profile', 'internal', '--format', 'csv'], { DATABASE_URL: url });
    expect([result.code, result.stderr.trim()]).toEqual([2, 'The database in DATABASE_URL holds no Rasid store.']);
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query("select to_regclass('meta')::text as meta")).rows[0].meta).toBeNull();
    } finally {
      await client.end();
    }
  },
  LIMIT,
);

it(
  'writes the evidence archive from PostgreSQL, the photo opened from the blob chunks in the database',
  async () => {
    const url = await (await postgresCluster()).createDatabase();
    const base = await evidenceBase(url);
    const out = join(base.dataDir, 'bag');
    try {
      const made = await runExport(['--evidence', '--out', out, '--key', base.keyFile], {
        DATABASE_URL: url,
        RASID_KEY_PASSPHRASE: PASSPHRASE,
      });
      expect(made.stderr).toContain('Wrote the evidence archive of 2 reports (3 ops, 1 photo)');
      expect(made.code).toBe(0);
      expect(readFileSync(join(out, 'data', 'photos', `${createHash('sha256').update(base.original).digest('hex')}.jpg`))).toEqual(
        Buffer.from(base.original),
      );
    } finally {
      rmSync(base.dataDir, { recursive: true, force: true });
    }
  },
  LIMIT,
);
