import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { sha256, toHex, utf8 } from '../../src/domain/crypto/bytes.ts';
import {
  BAG_INFO_FILE,
  bagTagFiles,
  isPayloadPath,
  MANIFEST_FILE,
  payloadOxum,
  readManifest,
  TAG_MANIFEST_FILE,
  type BagFile,
} from '../../src/export/bagit.ts';

const run = promisify(execFile);
const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

/** Invented payload: a photo's bytes, an op, a name with a space and one in Arabic. */
const PAYLOAD: BagFile[] = [
  { path: 'data/photos/burned shop.jpg', bytes: Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) % 256) },
  { path: 'data/ops/01a2428d-fd85-7803-b64c-c9f80109fe38.json', bytes: utf8('{"kind":"create","narrative":"احترق السوق"}') },
  { path: 'data/notes/ملاحظة.txt', bytes: utf8('نزحت أسر من الحي الشرقي\n') },
];

async function writeBag(payload: BagFile[]): Promise<string> {
  const entries = await Promise.all(
    payload.map(async (f) => ({ path: f.path, sha256: toHex(await sha256(f.bytes)), bytes: f.bytes.length })),
  );
  const tags = await bagTagFiles(entries, [['Source-Organization', 'Rasid test deployment']], '2026-12-06');
  const root = mkdtempSync(path.join(tmpdir(), 'rasid-bag-'));
  folders.push(root);
  for (const f of [...payload, ...tags]) {
    mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
    writeFileSync(path.join(root, f.path), f.bytes);
  }
  return root;
}

const sha256sumCheck = (root: string, manifest: string) => run('sha256sum', ['--check', '--strict', manifest], { cwd: root });

describe('a BagIt bag', () => {
  test('passes sha256sum --check on both its manifests, and fails it once a payload byte changes', async () => {
    const root = await writeBag(PAYLOAD);
    await sha256sumCheck(root, MANIFEST_FILE);
    await sha256sumCheck(root, TAG_MANIFEST_FILE);
    expect(readFileSync(path.join(root, 'bagit.txt'), 'utf8')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const info = readFileSync(path.join(root, BAG_INFO_FILE), 'utf8');
    expect(info).toContain('Source-Organization: Rasid test deployment\n');
    expect(payloadOxum(info)).toEqual({ octets: PAYLOAD.reduce((n, f) => n + f.bytes.length, 0), files: 3 });

    const photo = path.join(root, 'data/photos/burned shop.jpg');
    const bytes = readFileSync(photo);
    bytes[100] = bytes[100]! ^ 1;
    writeFileSync(photo, bytes);
    await expect(sha256sumCheck(root, MANIFEST_FILE)).rejects.toMatchObject({ stdout: expect.stringContaining('burned shop.jpg: FAILED') });
  });

  test('its manifest reads back to the paths and hashes written, in path order', async () => {
    const root = await writeBag(PAYLOAD);
    const read = readManifest(readFileSync(path.join(root, MANIFEST_FILE), 'utf8'));
    if (!read.ok) throw new Error(`line ${read.line}`);
    expect(read.entries.map((e) => e.path)).toEqual(PAYLOAD.map((f) => f.path).sort());
    for (const f of PAYLOAD) expect(read.entries.find((e) => e.path === f.path)?.sha256).toBe(toHex(await sha256(f.bytes)));
    expect(readManifest('not a hash  data/x\n')).toEqual({ ok: false, line: 1 });
  });

  test('refuses a payload path outside data/, or a label bag-info.txt cannot hold', async () => {
    for (const bad of ['photos/a.jpg', 'data', 'data/../bagit.txt', 'data//a', '/data/a', 'data\\a'])
      expect(isPayloadPath(bad)).toBe(false);
    const hash = 'a'.repeat(64);
    await expect(bagTagFiles([{ path: 'data/../x', sha256: hash, bytes: 1 }], [], '2026-12-06')).rejects.toThrow(/payload path/);
    await expect(bagTagFiles([{ path: 'data/x', sha256: 'xyz', bytes: 1 }], [], '2026-12-06')).rejects.toThrow(/SHA-256/);
    await expect(bagTagFiles([], [['Bad: label', 'x']], '2026-12-06')).rejects.toThrow(/bag-info/);
    await expect(bagTagFiles([], [['Label', 'two\nlines']], '2026-12-06')).rejects.toThrow(/bag-info/);
  });
});
