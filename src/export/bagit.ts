/**
 * BagIt (RFC 8493, version 1.0): the form of the evidence archive. A bag is a folder holding its
 * payload under `data/` and tag files beside it: `bagit.txt` (the version), `bag-info.txt` (who made
 * it, when, and how much payload: `Payload-Oxum`), `manifest-sha256.txt` (the SHA-256 of every payload
 * file) and `tagmanifest-sha256.txt` (the SHA-256 of the tag files). Manifest lines are written as
 * `sha256sum` reads them, so `sha256sum -c manifest-sha256.txt` in the bag checks its payload with no
 * tool of ours.
 *
 * The payload's hashes come from the caller, who reads each file once as it writes it (photos are
 * megabytes each, never held together); the tag files are small and hashed here.
 */
import { sha256, toHex, utf8, type Bytes } from '../domain/crypto/bytes.ts';

export interface BagFile {
  /** From the bag's root, with `/` between folders. */
  path: string;
  bytes: Bytes;
}

export interface PayloadEntry {
  /** From the bag's root: under `data/`. */
  path: string;
  /** SHA-256 of the file, 64 lowercase hex characters. */
  sha256: string;
  bytes: number;
}

export const BAGIT_FILE = 'bagit.txt';
export const BAG_INFO_FILE = 'bag-info.txt';
export const MANIFEST_FILE = 'manifest-sha256.txt';
export const TAG_MANIFEST_FILE = 'tagmanifest-sha256.txt';

const HEX_SHA256 = /^[0-9a-f]{64}$/;
/** A label of bag-info.txt: no colon, no line break, no leading or trailing space (RFC 8493, 2.2.2). */
const INFO_LABEL = /^[^:\s](?:[^:\r\n]*[^:\s])?$/;

/** A payload path as a bag may hold one: under `data/`, relative, with no `.` or `..` part and no empty part. */
export function isPayloadPath(path: string): boolean {
  const parts = path.split('/');
  return parts[0] === 'data' && parts.length > 1 && parts.every((p) => p !== '' && p !== '.' && p !== '..') && !path.includes('\\');
}

/** Paths in a manifest: `%`, CR and LF percent-encoded (RFC 8493, 2.1.3), so that one line is one file. */
function encodePath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function decodePath(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function manifestText(entries: readonly { path: string; sha256: string }[]): string {
  return entries.map((e) => `${e.sha256}  ${encodePath(e.path)}\n`).join('');
}

/**
 * The tag files of a bag holding `payload`, with `info` in its bag-info.txt after the fields this
 * writes itself (`Bagging-Date`, `Payload-Oxum`). Throws on a payload path outside `data/`, a hash that
 * is not SHA-256 in hex, a path given twice, or a label bag-info.txt cannot hold: each a bug in the
 * caller, not a user's error.
 */
export async function bagTagFiles(
  payload: readonly PayloadEntry[],
  info: readonly (readonly [label: string, value: string])[],
  baggingDate: string,
  /** Tag files of the bag's own (a reader's guide, say), beside the bag's root and in its tag manifest. */
  extraTags: readonly BagFile[] = [],
): Promise<BagFile[]> {
  const seen = new Set<string>();
  for (const e of payload) {
    if (!isPayloadPath(e.path)) throw new Error(`Not a payload path: ${e.path}`);
    if (!HEX_SHA256.test(e.sha256)) throw new Error(`Not a SHA-256: ${e.sha256}`);
    if (seen.has(e.path)) throw new Error(`Given twice: ${e.path}`);
    seen.add(e.path);
  }
  for (const [label, value] of info) {
    if (!INFO_LABEL.test(label) || /[\r\n]/.test(value)) throw new Error(`Not a bag-info.txt line: ${label}`);
  }
  const octets = payload.reduce((n, e) => n + e.bytes, 0);
  const sorted = [...payload].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tags: BagFile[] = [
    { path: BAGIT_FILE, bytes: utf8('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n') },
    {
      path: BAG_INFO_FILE,
      bytes: utf8(
        [['Bagging-Date', baggingDate] as const, ['Payload-Oxum', `${octets}.${payload.length}`] as const, ...info]
          .map(([label, value]) => `${label}: ${value}\n`)
          .join(''),
      ),
    },
    { path: MANIFEST_FILE, bytes: utf8(manifestText(sorted)) },
    ...extraTags,
  ];
  const tagHashes = await Promise.all(tags.map(async (t) => ({ path: t.path, sha256: toHex(await sha256(t.bytes)) })));
  return [...tags, { path: TAG_MANIFEST_FILE, bytes: utf8(manifestText(tagHashes)) }];
}

export type ManifestRead = { ok: true; entries: { path: string; sha256: string }[] } | { ok: false; line: number };

/** A manifest's lines (`<sha256> <path>`, one or more spaces or a tab between), or the first that is not one. */
export function readManifest(text: string): ManifestRead {
  const entries: { path: string; sha256: string }[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const match = /^([0-9a-fA-F]{64})[ \t]+\*?(.+)$/.exec(line.replace(/\r$/, ''));
    if (!match) return { ok: false, line: i + 1 };
    entries.push({ sha256: match[1]!.toLowerCase(), path: decodePath(match[2]!) });
  }
  return { ok: true, entries };
}

/** `Payload-Oxum` as bag-info.txt gives it: octets and file count, or undefined when absent or malformed. */
export function payloadOxum(bagInfo: string): { octets: number; files: number } | undefined {
  const line = bagInfo.split(/\r?\n/).find((l) => /^Payload-Oxum\s*:/.test(l));
  const match = line && /^Payload-Oxum\s*:\s*(\d+)\.(\d+)\s*$/.exec(line);
  return match ? { octets: Number(match[1]), files: Number(match[2]) } : undefined;
}
