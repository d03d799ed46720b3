/**
 * The evidence archive's contents, and their check from the bag alone (docs/verify-evidence.md).
 *
 * A bag (bagit.ts) whose payload is:
 *  - `data/root-key.txt`: the deployment root's public signing key, the one thing trusted, and only
 *    once its fingerprint matches a copy the auditor obtained apart from the bag;
 *  - `data/roster/<op id>.json`: the roster statements the trust rule counts, signed in clear;
 *  - `data/keys.json`: the public keys, role and cut-off of every author, as those statements give them;
 *  - `data/ops/<report id>/<op id>.json`: every op of the reports chosen, opened: its clear header, its
 *    body as its author wrote it, and its author's signature over both (signature.ts);
 *  - `data/photos/<SHA-256>.<jpg|png|webp>`: the originals those ops add, byte for byte as kept.
 *
 * Nothing in the bag vouches for itself: the manifest catches a changed byte only until someone
 * recomputes it, so the check goes on to the signatures. Every roster statement must verify under
 * the root (or a coordinator the root named), every op under the key its author held at its
 * `deviceSeq`, every photo must hash to what a verified op signed, and `keys.json` must say what the
 * statements say. A bag that passes was signed by the devices it names, under the root it carries;
 * whether that root is the deployment's is the fingerprint's to show.
 */
import { z } from 'zod/mini';
import { readPublicKey } from '../domain/crypto/keys.ts';
import { keyIdOf, shortFingerprint } from '../domain/crypto/fingerprint.ts';
import { isReportId } from '../domain/ids.ts';
import { headerFields, wireHeaderSchema } from '../domain/op/header.ts';
import { readOpBody, type Attachment, type PHOTO_TYPES } from '../domain/op/op.ts';
import { checkOpSignatureText } from '../domain/op/signature.ts';
import { SIGNATURE_TEXT_CHARS } from '../domain/crypto/sign.ts';
import { rootDeviceOf } from '../domain/root.ts';
import { ROSTER_ID, statementOf } from '../domain/roster.ts';
import {
  refusedByRule,
  standingAt,
  trustedRoster,
  type RosterStatement,
  type TrustedDevice,
  type TrustedRoster,
} from '../domain/trusted-roster.ts';
import { BAG_INFO_FILE, BAGIT_FILE, isPayloadPath, MANIFEST_FILE, payloadOxum, readManifest, TAG_MANIFEST_FILE } from './bagit.ts';

export const ROOT_KEY_FILE = 'data/root-key.txt';
export const KEYS_FILE = 'data/keys.json';
export const rosterPath = (opId: string) => `data/roster/${opId}.json`;
export const opPath = (reportId: string, opId: string) => `data/ops/${reportId}/${opId}.json`;

const EXTENSIONS: Record<(typeof PHOTO_TYPES)[number], string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
export const photoPath = (a: Pick<Attachment, 'sha256' | 'mime'>) => `data/photos/${a.sha256}.${EXTENSIONS[a.mime]}`;

/** An op as the bag holds it: its clear header, its body text as signed, and the author's signature (base64url). */
export const evidenceOpSchema = z.extend(wireHeaderSchema, {
  body: z.string(),
  sig: z.string().check(z.length(SIGNATURE_TEXT_CHARS)),
});
export type EvidenceOp = z.infer<typeof evidenceOpSchema>;

/** One author in `keys.json`: what the trusted roster says of it. */
export const evidenceKeysSchema = z.array(
  z.object({
    device: z.string(),
    role: z.string(),
    keys: z.array(z.object({ since: z.number(), signing: z.optional(z.string()), agreement: z.optional(z.string()) })),
    cutoff: z.optional(z.number()),
  }),
);
export type EvidenceKeys = z.infer<typeof evidenceKeysSchema>;

/** The `keys.json` entry of a device the trusted roster names. */
export function evidenceKeysOf(device: TrustedDevice): EvidenceKeys[number] {
  return {
    device: device.device,
    role: device.role,
    keys: device.keys.map((k) => ({
      since: k.since,
      ...(k.signing !== undefined && { signing: k.signing }),
      ...(k.agreement !== undefined && { agreement: k.agreement }),
    })),
    ...(device.cutoff !== undefined && { cutoff: device.cutoff }),
  };
}

/** The bag's files as the check reads them: a folder on disk, or anything else that holds one. */
export interface BagReader {
  /** Every file, from the bag's root, with `/` between folders. */
  files(): Promise<string[]>;
  /** A file as text, or undefined when it is not there. */
  text(path: string): Promise<string | undefined>;
  /** A file's SHA-256 in hex and size, read a piece at a time (photos are megabytes). */
  digest(path: string): Promise<{ sha256: string; bytes: number } | undefined>;
}

export interface EvidenceVerdict {
  /** Every check held: nothing below in `problems`. */
  ok: boolean;
  /** What failed, one sentence each, in the order found. */
  problems: string[];
  /** The root the bag carries, when it reads: to compare with a copy obtained apart. */
  root?: { fingerprint: string; short: string };
  reports: number;
  ops: number;
  photos: number;
  /** Photos a verified op adds that the bag does not hold (not yet at the base when it was made). */
  absentPhotos: string[];
}

/** The guide for whoever receives the bag (docs/verify-evidence.md), as a tag file beside its root. */
export const GUIDE_FILE = 'verify-evidence.md';
const TAG_FILES = new Set([BAGIT_FILE, BAG_INFO_FILE, MANIFEST_FILE, TAG_MANIFEST_FILE, GUIDE_FILE]);

/** The manifests and the bag's declaration: a file changed, added or taken away since it was made. */
async function checkManifests(bag: BagReader, problems: string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  const declaration = await bag.text(BAGIT_FILE);
  if (!declaration || !/^BagIt-Version: 1\.0\r?$/m.test(declaration)) problems.push(`${BAGIT_FILE} is missing or is not BagIt 1.0.`);
  const all = await bag.files();
  const manifestText = await bag.text(MANIFEST_FILE);
  const manifest = manifestText === undefined ? undefined : readManifest(manifestText);
  if (!manifest?.ok) {
    problems.push(manifest ? `${MANIFEST_FILE} cannot be read at line ${manifest.line}.` : `${MANIFEST_FILE} is missing.`);
    return hashes;
  }
  let octets = 0;
  for (const { path, sha256 } of manifest.entries) {
    if (!isPayloadPath(path)) {
      problems.push(`${MANIFEST_FILE} lists ${path}, which is not under data/.`);
      continue;
    }
    const found = await bag.digest(path);
    if (!found) problems.push(`${path} is listed in ${MANIFEST_FILE} but is not in the bag.`);
    else if (found.sha256 !== sha256) problems.push(`${path} does not have the SHA-256 ${MANIFEST_FILE} gives it.`);
    else {
      hashes.set(path, sha256);
      octets += found.bytes;
    }
  }
  const listed = new Set(manifest.entries.map((e) => e.path));
  for (const path of all) {
    if (path.startsWith('data/') && !listed.has(path)) problems.push(`${path} is in the bag but not in ${MANIFEST_FILE}.`);
  }
  const oxum = payloadOxum((await bag.text(BAG_INFO_FILE)) ?? '');
  if (!oxum || oxum.files !== manifest.entries.length || (oxum.octets !== octets && hashes.size === manifest.entries.length)) {
    problems.push(`The Payload-Oxum of ${BAG_INFO_FILE} does not match the payload.`);
  }
  const tagText = await bag.text(TAG_MANIFEST_FILE);
  const tags = tagText === undefined ? undefined : readManifest(tagText);
  if (!tags?.ok) problems.push(`${TAG_MANIFEST_FILE} is missing or cannot be read.`);
  else {
    for (const { path, sha256 } of tags.entries) {
      // Only the bag's own tag files: a path elsewhere (`../`) is never read.
      if (!TAG_FILES.has(path) || path === TAG_MANIFEST_FILE)
        problems.push(`${TAG_MANIFEST_FILE} lists ${path}, which is not a tag file of the bag.`);
      else if ((await bag.digest(path))?.sha256 !== sha256)
        problems.push(`${path} does not have the SHA-256 ${TAG_MANIFEST_FILE} gives it.`);
    }
  }
  return hashes;
}

/** A file of the bag read as JSON and checked against `schema`; a sentence into `problems` when it is not one. */
async function readJson<T>(bag: BagReader, path: string, schema: z.ZodMiniType<T>, problems: string[]): Promise<T | undefined> {
  const text = await bag.text(path);
  let json: unknown;
  try {
    json = text === undefined ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const read = schema.safeParse(json);
  if (!read.success) problems.push(`${path} cannot be read as Rasid evidence.`);
  return read.success ? read.data : undefined;
}

type SignedStatement = RosterStatement & { op: EvidenceOp };

/** Checks a bag as it stands; never throws on what the bag holds. */
export async function verifyEvidence(bag: BagReader): Promise<EvidenceVerdict> {
  const problems: string[] = [];
  const verdict = (rest: Omit<EvidenceVerdict, 'ok' | 'problems'>): EvidenceVerdict => ({ ok: problems.length === 0, problems, ...rest });
  const hashes = await checkManifests(bag, problems);
  const payload = [...hashes.keys()];

  const rootText = (await bag.text(ROOT_KEY_FILE))?.trim();
  const rootKey = await readPublicKey(rootText, 'signing');
  if (!rootKey.ok || rootText === undefined) {
    problems.push(`${ROOT_KEY_FILE} is missing or does not hold a signing public key.`);
    return verdict({ reports: 0, ops: 0, photos: 0, absentPhotos: [] });
  }
  const fingerprint = rootKey.key.fingerprint;
  const root = { device: rootDeviceOf(keyIdOf(fingerprint)), signing: rootText };
  const rootFingerprint = { fingerprint, short: shortFingerprint(fingerprint) };

  // The roster: every statement the bag carries must count, or it was changed.
  const statements: SignedStatement[] = [];
  for (const path of payload.filter((p) => p.startsWith('data/roster/'))) {
    const op = await readJson(bag, path, evidenceOpSchema, problems);
    if (!op) continue;
    const body = readOpBody(op.body);
    if (op.reportId !== ROSTER_ID || op.kind !== 'deployment' || path !== rosterPath(op.id) || !body.ok) {
      problems.push(`${path} is not a roster statement as the bag names it.`);
      continue;
    }
    statements.push({ ...statementOf({ ...headerFields(op), v: 1, body: body.body }), op });
  }
  const trusted: TrustedRoster = await trustedRoster(statements, root, (s, key) => checkOpSignatureText(key, s.op, s.op.body, s.op.sig));
  for (const { statement, reason } of trusted.ignored) {
    problems.push(`The roster statement ${statement.opId} does not count under this root (${reason}): it was changed, or does not belong.`);
  }

  // The ops: each signed by its author with the key the roster gave it then, and its author's to write.
  const attachments = new Map<string, Attachment>();
  const reports = new Set<string>();
  let ops = 0;
  const authors = new Set<string>();
  for (const path of payload.filter((p) => p.startsWith('data/ops/'))) {
    const op = await readJson(bag, path, evidenceOpSchema, problems);
    if (!op) continue;
    if (!isReportId(op.reportId) || path !== opPath(op.reportId, op.id)) {
      problems.push(`${path} holds another op than its name says.`);
      continue;
    }
    const body = readOpBody(op.body);
    const signing = refusedByRule(trusted, op) === undefined ? standingAt(trusted, op.device, op.deviceSeq)?.signing : undefined;
    if (!body.ok) problems.push(`${path} has a body that cannot be read (${body.reason}).`);
    else if (!signing) problems.push(`${path} is by ${op.device}, who may not have written it at ${op.deviceSeq} under this roster.`);
    else if (!(await checkOpSignatureText(signing, headerFields(op), op.body, op.sig))) {
      problems.push(`${path} does not verify under the signing key of ${op.device}: it was changed after it was signed.`);
    } else {
      ops++;
      reports.add(op.reportId);
      authors.add(op.device);
      for (const a of body.body.attachments ?? []) attachments.set(a.sha256, a);
    }
  }

  await checkKeys(bag, trusted, authors, problems);

  // The photos: each one a verified op adds, byte for byte.
  let photos = 0;
  const held = new Set<string>();
  for (const path of payload.filter((p) => p.startsWith('data/photos/'))) {
    const sha256 = hashes.get(path)!;
    const named = attachments.get(sha256);
    if (!named || photoPath(named) !== path) {
      problems.push(`${path} is not a photo any verified op adds, as its bytes stand: it was changed, or does not belong.`);
      continue;
    }
    held.add(sha256);
    photos++;
  }
  const absentPhotos = [...attachments.keys()].filter((h) => !held.has(h)).sort();

  for (const path of payload) {
    const known = path === ROOT_KEY_FILE || path === KEYS_FILE || /^data\/(roster|ops|photos)\//.test(path);
    if (!known) problems.push(`${path} is not part of a Rasid evidence bag.`);
  }
  for (const path of await bag.files()) {
    if (!path.startsWith('data/') && !TAG_FILES.has(path)) problems.push(`${path} is not part of a Rasid evidence bag.`);
  }
  return verdict({ root: rootFingerprint, reports: reports.size, ops, photos, absentPhotos });
}

/** `keys.json` says of each author exactly what the verified roster says. */
async function checkKeys(bag: BagReader, trusted: TrustedRoster, authors: ReadonlySet<string>, problems: string[]): Promise<void> {
  const listed = await readJson(bag, KEYS_FILE, evidenceKeysSchema, problems);
  if (!listed) return;
  const byDevice = new Map(listed.map((k) => [k.device, k]));
  for (const author of authors) if (!byDevice.has(author)) problems.push(`${KEYS_FILE} does not list the author ${author}.`);
  for (const entry of listed) {
    const device = trusted.devices.get(entry.device as TrustedDevice['device']);
    if (!device || JSON.stringify(evidenceKeysOf(device)) !== JSON.stringify(entry)) {
      problems.push(`${KEYS_FILE} says of ${entry.device} what the roster statements do not.`);
    }
  }
}
