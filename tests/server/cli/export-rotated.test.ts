/**
 * `npm run export` on a base whose deployment key the root rotated: ops before the rotation are
 * sealed to key A, ops after it to key B. A key file for each opens every report; a key missing is
 * said by its key id, and the export refused unless --allow-missing-keys (docs/decisions.md, 059).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport, type Run } from './run-export.ts';
import { OTHER_PASSPHRASE, rotatedBase, type RotatedBase } from './rotated-base.ts';
import { keyFileIn, PASSPHRASE } from './sealed-base.ts';

const LIMIT = 60_000;

let dir: string;
let base: RotatedBase;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rasid-rotated-export-'));
  base = await rotatedBase({ dataDir: dir }, dir);
}, LIMIT);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exportWith = (files: string[], ...extra: string[]) =>
  runExport(['--profile', 'internal', '--format', 'json', ...files.flatMap((f) => ['--key', f]), ...extra], {
    RASID_DATA: dir,
    RASID_KEY_PASSPHRASE: PASSPHRASE,
  });
type Exported = { id: string; narrative: string; verification: string };
const records = (result: Run) => (JSON.parse(result.stdout) as { records: Exported[] }).records;
const refused = (result: Run) => {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
  return [result.code, result.stderr.trim()];
};
const missing = (count: number, kid: string) =>
  `${count} reports could not be opened, in whole or in part: their ops are sealed to the deployment key with key id ${kid} (the start of the fingerprint in its key file), and no --key file holds it.`;

describe('npm run export after the deployment key was rotated', () => {
  it(
    'with the key files from before and after the rotation, every report is exported as written, the later verification too',
    async () => {
      const result = await exportWith([base.keyA.file, base.keyB.file]);
      expect(result.code, result.stderr).toBe(0);
      const exported = records(result);
      const all = [...base.beforeRotation, ...base.afterRotation];
      expect(exported.map((r) => r.id).sort()).toEqual(all.map((r) => r.id).sort());
      for (const report of all) expect(exported.find((r) => r.id === report.id)!.narrative).toContain(report.marker);
      expect(exported.find((r) => r.id === base.verifiedAfter)!.verification).toBe('verified');
      expect(result.stderr).not.toContain('could not be opened');
      // The root's statements are read under the root the base holds: nothing is skipped.
      expect(result.stderr).not.toContain('Skipped');
    },
    LIMIT,
  );

  it(
    'with the current key file only, refuses with exit code 2 and says how many reports need the earlier key, by its key id',
    async () => {
      expect(refused(await exportWith([base.keyB.file]))).toEqual([
        2,
        `${missing(base.beforeRotation.length, base.keyA.kid)}\nNothing was exported: add a --key for each key id above, or --allow-missing-keys to export without what they seal.`,
      ]);
    },
    LIMIT,
  );

  it(
    'with --allow-missing-keys, exports what the key files open and says on standard error what the file lacks',
    async () => {
      const current = await exportWith([base.keyB.file], '--allow-missing-keys');
      expect(current.code, current.stderr).toBe(0);
      expect(
        records(current)
          .map((r) => r.id)
          .sort(),
      ).toEqual(base.afterRotation.map((r) => r.id).sort());
      for (const report of base.beforeRotation) expect(current.stdout).not.toContain(report.marker);
      const said = current.stderr.trim().split('\n');
      expect(said.slice(0, 2)).toEqual([
        missing(base.beforeRotation.length, base.keyA.kid),
        'Exporting without them, as --allow-missing-keys asks: the file lacks what they seal.',
      ]);
      expect(said.at(-1)).toMatch(/^Exported 2 rows with profile internal \(json\);/);

      // The earlier key alone: the reports from after the rotation, and the verification made after it, are what is missing.
      const earlier = await exportWith([base.keyA.file], '--allow-missing-keys');
      expect(earlier.code, earlier.stderr).toBe(0);
      expect(
        records(earlier)
          .map((r) => r.id)
          .sort(),
      ).toEqual(base.beforeRotation.map((r) => r.id).sort());
      expect(records(earlier).find((r) => r.id === base.verifiedAfter)!.verification).toBe('unverified');
      expect(earlier.stderr.trim().split('\n')[0]).toBe(missing(base.afterRotation.length + 1, base.keyB.kid));
    },
    LIMIT,
  );

  it(
    'a key file of another deployment beside this one’s ends with exit code 2 and one sentence, before any passphrase is asked for',
    async () => {
      const other = await keyFileIn(dir, 'other-deployment.json');
      // No passphrase and no terminal: the file is refused for what it is, not for its passphrase.
      const result = await runExport(['--profile', 'internal', '--format', 'json', '--key', base.keyA.file, '--key', other.file], {
        RASID_DATA: dir,
      });
      expect(refused(result)).toEqual([2, `The key file ${other.file} holds another deployment's key than this base's.`]);
    },
    LIMIT,
  );

  it(
    'a passphrase that opens one key file and not the other ends with exit code 2 and one sentence naming that file',
    async () => {
      const result = await exportWith([base.keyA.file, base.keyBOtherPassphrase]);
      expect(refused(result)).toEqual([
        2,
        `The passphrase does not open the key file ${base.keyBOtherPassphrase} (or the file was changed).`,
      ]);
      expect(result.stderr).not.toContain(PASSPHRASE.split(' ')[0]);
      expect(result.stderr).not.toContain(OTHER_PASSPHRASE.split(' ')[0]);
    },
    LIMIT,
  );
});
