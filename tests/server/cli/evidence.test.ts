/**
 * The evidence archive, end to end on a base on disk: `npm run export -- --evidence` writes a BagIt
 * bag that `sha256sum -c` and `npm run verify-evidence` both pass, holding the photo's original byte
 * for byte; a bag with one byte changed in a photo, an op, the roster or the keys, its manifests
 * made again after the change (so only the signatures can catch it), fails the verifier.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortFingerprint } from '../../../src/domain/crypto/fingerprint.ts';
import { MANIFEST_FILE, TAG_MANIFEST_FILE } from '../../../src/export/bagit.ts';
import { evidenceBase, type EvidenceBase } from './evidence-base.ts';
import { runCommand, runExport, type Run } from './run-export.ts';
import { PASSPHRASE } from './sealed-base.ts';

const LIMIT = 60_000;
const run = promisify(execFile);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let base: EvidenceBase;
let work: string;
let bag: string;
let made: Run;

const verify = (folder: string): Promise<Run> => runCommand('src/server/cli/verify-evidence.ts', [folder], {});

const evidence = (out: string, ...more: string[]) =>
  runExport(['--evidence', '--out', out, '--key', base.keyFile, ...more], { RASID_DATA: base.dataDir, RASID_KEY_PASSPHRASE: PASSPHRASE });

const filesUnder = (folder: string, sub: string): string[] =>
  readdirSync(join(folder, sub), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(folder.length + 1));

/** The manifests made again over the bag as it now stands: what someone who changed a file would do. */
function remakeManifests(folder: string): void {
  const remade = (name: string) =>
    readFileSync(join(folder, name), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const path = line.slice(66);
        return `${sha256(readFileSync(join(folder, path)))}  ${path}`;
      })
      .join('\n') + '\n';
  writeFileSync(join(folder, MANIFEST_FILE), remade(MANIFEST_FILE));
  writeFileSync(join(folder, TAG_MANIFEST_FILE), remade(TAG_MANIFEST_FILE));
}

/** One letter or digit inside the signed body text changed for another: the file still reads as JSON. */
function changeOneBodyCharacter(file: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf('"body": "') + 9;
  let at = start + Math.floor((text.indexOf('",\n', start) - start) / 2);
  while (!/[A-Za-z0-9]/.test(text[at]!) || text[at - 1] === '\\') at++;
  const swapped = /[0-9]/.test(text[at]!) ? String((Number(text[at]) + 1) % 10) : text[at] === 'a' ? 'b' : 'a';
  writeFileSync(file, text.slice(0, at) + swapped + text.slice(at + 1));
}

beforeAll(async () => {
  base = await evidenceBase();
  work = mkdtempSync(join(tmpdir(), 'rasid-evidence-'));
  bag = join(work, 'bag');
  made = await evidence(bag);
}, LIMIT);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  if (base) rmSync(base.dataDir, { recursive: true, force: true });
});

describe('the evidence archive', () => {
  it(
    'holds every op, the roster, the keys and the original; sha256sum and the verifier pass it, and the verifier prints the root',
    async () => {
      expect(made.stderr).toContain('Wrote the evidence archive of 2 reports (3 ops, 1 photo)');
      expect(made.stderr).toContain('Left out 1 photo not yet at the base');
      expect(made.code).toBe(0);

      // The guide travels with the bag, listed in its tag manifest.
      expect(readFileSync(join(bag, 'verify-evidence.md'), 'utf8')).toContain('# Checking a Rasid evidence archive');
      expect(readFileSync(join(bag, TAG_MANIFEST_FILE), 'utf8')).toContain('  verify-evidence.md\n');
      expect(filesUnder(bag, 'data/roster')).toHaveLength(2);
      expect(filesUnder(bag, 'data/ops')).toHaveLength(3);
      const photos = filesUnder(bag, 'data/photos');
      expect(photos).toEqual([`data/photos/${sha256(base.original)}.jpg`]);
      // Byte for byte as the monitor kept it: the archive is evidence, not a partner's copy.
      expect(Buffer.compare(readFileSync(join(bag, photos[0]!)), Buffer.from(base.original))).toBe(0);
      // A sealed base gives up its ops opened: the narrative is in the bag, in clear, as signed.
      expect(filesUnder(bag, 'data/ops').some((f) => readFileSync(join(bag, f), 'utf8').includes('احترق المخبز'))).toBe(true);

      const checked = await run('sha256sum', ['-c', '--strict', MANIFEST_FILE], { cwd: bag });
      expect(checked.stdout.split('\n').filter((l) => l.endsWith(': OK'))).toHaveLength(2 + 1 + 3 + 1 + 1);

      const verified = await verify(bag);
      expect(verified.stdout).toContain('Verified: 2 reports, 3 ops and 1 photo');
      expect(verified.stdout).toContain(`Root fingerprint: ${shortFingerprint(base.root.publicKey.fingerprint)}`);
      expect(verified.stdout).toContain(`1 photo an op adds is not in this bag (not at the base when it was made): ${base.absentSha256}.`);
      expect(verified.code).toBe(0);
    },
    LIMIT,
  );

  it.each([
    ['a photo', () => filesUnder(bag, 'data/photos')[0]!, 'is not a photo any verified op adds'],
    ['an op', () => filesUnder(bag, 'data/ops')[0]!, 'does not verify under the signing key'],
    ['the roster', () => filesUnder(bag, 'data/roster')[1]!, 'does not count under this root'],
    ['the keys', () => 'data/keys.json', 'says of'],
  ])(
    'one byte changed in %s, the manifests made again, passes sha256sum and fails the verifier',
    async (_what, pick, said) => {
      const copy = join(work, `changed-${Math.random().toString(36).slice(2)}`);
      cpSync(bag, copy, { recursive: true });
      const path = pick();
      const file = join(copy, path);
      if (path.startsWith('data/photos/')) {
        const bytes = readFileSync(file);
        bytes[bytes.length >> 1]! ^= 1;
        writeFileSync(file, bytes);
      } else if (path === 'data/keys.json') {
        const keys = readFileSync(file, 'utf8');
        writeFileSync(file, keys.replace('"since": 1', '"since": 2'));
      } else changeOneBodyCharacter(file);
      remakeManifests(copy);

      await run('sha256sum', ['-c', '--strict', '--quiet', MANIFEST_FILE], { cwd: copy });
      const verified = await verify(copy);
      expect(verified.stdout).toContain('This bag does NOT verify');
      expect(verified.stdout).toContain(said);
      expect(verified.code).toBe(1);
    },
    LIMIT,
  );

  it(
    'with --report, holds that report alone; an id the base does not have is said, and a folder in use is refused',
    async () => {
      const one = join(work, 'one');
      const unknown = '019cdb5e-1c3a-7b2e-9a4f-0c6d2e8f1a3b';
      const answer = await evidence(one, '--report', base.withPhoto, '--report', unknown);
      expect(answer.stderr).toContain(`This base has no report with the id ${unknown}`);
      expect(answer.stderr).toContain('Wrote the evidence archive of 1 report (2 ops, 1 photo)');
      expect(answer.code).toBe(0);
      expect(filesUnder(one, 'data/ops').every((f) => f.startsWith(`data/ops/${base.withPhoto}/`))).toBe(true);
      expect((await verify(one)).code).toBe(0);

      const again = await evidence(one);
      expect(again.stderr).toContain('is not empty: give a new or empty folder.');
      expect(again.code).toBe(2);
      expect(existsSync(join(one, 'data', 'ops', base.photoAbsent))).toBe(false);
    },
    LIMIT,
  );
});
