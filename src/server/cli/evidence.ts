/**
 * `npm run export -- --evidence --out FOLDER [--report ID ...] --key FILE`: the evidence archive
 * (src/export/evidence.ts has its layout, docs/verify-evidence.md how an auditor checks it), written
 * at base from the store the server uses.
 *
 * What goes in is what the trust rule counts under the root the base holds, and nothing else: the
 * roster statements it counts, each chosen report's ops that open with the deployment keys given and
 * verify under their authors' keys then, and the originals of the photos those ops add, opened from
 * the sealed blobs the base holds and checked against the hashes the ops sign. What cannot go in is
 * counted and said, never silently dropped: ops that do not open or verify (the desk quarantines
 * them), ops from before the root (they count through a vouching, which a bag cannot carry), and
 * photos whose blob has not reached the base or does not open to the signed hash.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import { BlobDoesNotOpen, importBlobKey, openBlobPieces } from '../../domain/crypto/blob-seal.ts';
import { fromBase64url, toBase64url } from '../../domain/crypto/bytes.ts';
import { shortFingerprint } from '../../domain/crypto/fingerprint.ts';
import { readPublicKey, type AgreementKeyPair } from '../../domain/crypto/keys.ts';
import { PairKeyCache } from '../../domain/crypto/pair-keys.ts';
import { isReportId, type DeviceId } from '../../domain/ids.ts';
import { KeyDirectory } from '../../domain/key-directory.ts';
import { headerFields, SEALED_OP_VERSION } from '../../domain/op/header.ts';
import type { Attachment } from '../../domain/op/op.ts';
import { openKeys } from '../../domain/op/read.ts';
import { openOp } from '../../domain/op/sealed.ts';
import { ROSTER_ID } from '../../domain/roster.ts';
import { refusedByRule } from '../../domain/trusted-roster.ts';
import { needsVouching } from '../../domain/vouching.ts';
import { bagTagFiles, type PayloadEntry } from '../../export/bagit.ts';
import {
  evidenceKeysOf,
  GUIDE_FILE,
  KEYS_FILE,
  opPath,
  photoPath,
  ROOT_KEY_FILE,
  rosterPath,
  type EvidenceOp,
} from '../../export/evidence.ts';
import type { BlobBytes } from '../blobs/bytes.ts';
import { heldBlob } from '../blobs/grants.ts';
import { rootOf } from '../store/authorship.ts';
import { headerOfRow, wireOfRow } from '../store/pull.ts';
import type { Database } from '../store/schema.ts';
import { trustedRosterAtBase } from '../store/trusted-keys.ts';

/** A mistake the person running the command can fix; its message says how. */
export class EvidenceRefused extends Error {}

export interface EvidenceRequest {
  db: Kysely<Database>;
  blobs: BlobBytes;
  deploymentKeys: readonly AgreementKeyPair[];
  /** The reports to put in; every report the base holds when not given. */
  reports?: readonly string[];
  /** An empty or new folder. */
  out: string;
  now: Date;
}

export interface EvidenceWritten {
  reports: number;
  ops: number;
  photos: number;
  /** The root's fingerprint, short (as the desk shows it) and full. */
  root: { short: string; fingerprint: string };
  /** Ops of the chosen reports that do not open or verify, or that the rule does not count. */
  unverified: number;
  /** Ops from before the root: they count through a vouching, which the bag does not carry. */
  beforeRoot: number;
  /** Photos whose blob the base does not hold, or that do not open to the hash their op signs. */
  photosLeftOut: { absent: number; damaged: number };
  /** Chosen report ids the base has no op of. */
  unknownReports: string[];
}

const PAGE = 2000;

export async function writeEvidenceBag(request: EvidenceRequest): Promise<EvidenceWritten> {
  const { db, out } = request;
  const root = await rootOf(db);
  if (!root) {
    throw new EvidenceRefused(
      'This base has no deployment root, so no one can check an archive of it from the archive alone: make the deployment keys on the desk first.',
    );
  }
  for (const id of request.reports ?? []) {
    if (!isReportId(id)) throw new EvidenceRefused(`"${id}" is not a report id (the one a report's screen on the desk shows).`);
  }
  try {
    if (readdirSync(out).length > 0) throw new EvidenceRefused(`${out} is not empty: give a new or empty folder.`);
  } catch (error) {
    if (error instanceof EvidenceRefused) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new EvidenceRefused(`Cannot use ${out}: ${(error as NodeJS.ErrnoException).code}.`);
  }

  const trusted = (await trustedRosterAtBase(db, { device: root.device, signing: root.text }, []))!;
  const payload: PayloadEntry[] = [];
  const write = (path: string, text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    const file = join(out, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes, { flag: 'wx' });
    payload.push({ path, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
  };
  const asEvidence = (op: EvidenceOp) => `${JSON.stringify(op, null, 2)}\n`;

  mkdirSync(out, { recursive: true });
  write(ROOT_KEY_FILE, `${root.text}\n`);
  const ignored = new Set<string>(trusted.ignored.map((i) => i.statement.opId));
  const rosterRows = await db
    .selectFrom('ops')
    .select(['id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig'])
    .where('report_id', '=', ROSTER_ID)
    .where('status', '=', 'ok')
    .where('v', '=', SEALED_OP_VERSION)
    .orderBy('seq')
    .execute();
  for (const row of rosterRows) {
    if (ignored.has(row.id) || row.sig === null) continue;
    write(rosterPath(row.id), asEvidence({ ...headerOfRow(row), body: row.body, sig: row.sig }));
  }

  const keys = openKeys({
    mine: request.deploymentKeys,
    directory: await KeyDirectory.fromTrust(
      trusted,
      request.deploymentKeys.map((k) => k.publicKey),
    ),
    pairs: new PairKeyCache(),
  });
  const chosen = request.reports && new Set(request.reports);
  const found = new Set<string>();
  const reports = new Set<string>();
  const authors = new Set<DeviceId>();
  const attachments = new Map<string, Attachment>();
  let ops = 0;
  let unverified = 0;
  let beforeRoot = 0;
  for (let after = 0; ;) {
    let query = db
      .selectFrom('ops')
      .select(['seq', 'id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig', 'osig', 'blobs'])
      .where('status', '=', 'ok')
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE);
    if (chosen) query = query.where('report_id', 'in', [...chosen]);
    const rows = await query.execute();
    for (const row of rows) {
      if (!isReportId(row.report_id)) continue;
      found.add(row.report_id);
      const wire = wireOfRow(row);
      if (needsVouching(wire)) {
        beforeRoot++;
        continue;
      }
      const opened = await openOp(wire, keys);
      if (!opened.ok || refusedByRule(trusted, headerFields(opened.op.header)) !== undefined) {
        unverified++;
        continue;
      }
      const { header, bodyText, signature, body } = opened.op;
      write(opPath(header.reportId, header.id), asEvidence({ ...headerFields(header), body: bodyText, sig: toBase64url(signature) }));
      ops++;
      reports.add(header.reportId);
      authors.add(header.device);
      for (const a of body.attachments ?? []) attachments.set(a.sha256, a);
    }
    if (rows.length < PAGE) break;
    after = Number(rows.at(-1)!.seq);
  }

  // The keys of every author in the bag, roster statements' included, as the trusted roster gives them.
  for (const row of rosterRows) if (!ignored.has(row.id)) authors.add(headerOfRow(row).device);
  const listed = [...authors].sort().flatMap((device) => {
    const trustedDevice = trusted.devices.get(device);
    return trustedDevice ? [evidenceKeysOf(trustedDevice)] : [];
  });
  write(KEYS_FILE, `${JSON.stringify(listed, null, 2)}\n`);

  const photosLeftOut = { absent: 0, damaged: 0 };
  let photos = 0;
  for (const attachment of [...attachments.values()].sort((a, b) => (a.sha256 < b.sha256 ? -1 : 1))) {
    const held = await heldBlob(db, attachment.blob.sha256);
    if (!held || held.bytes !== attachment.blob.bytes) {
      photosLeftOut.absent++;
      continue;
    }
    const entry = await writePhoto(request.blobs, held.uploadId, attachment, out);
    if (entry) {
      payload.push(entry);
      photos++;
    } else photosLeftOut.damaged++;
  }

  const rootKey = await readPublicKey(root.text, 'signing');
  if (!rootKey.ok) throw new Error('The root key the base holds does not read');
  const fingerprint = rootKey.key.fingerprint;
  const short = shortFingerprint(fingerprint);
  const tags = await bagTagFiles(
    payload,
    [
      ['Source-Organization', 'Rasid deployment'],
      [
        'External-Description',
        'Rasid evidence archive: check with "sha256sum -c manifest-sha256.txt", then "npm run verify-evidence -- <this folder>" (docs/verify-evidence.md).',
      ],
      ['Rasid-Root-Fingerprint', short],
      ['Rasid-Reports', String(reports.size)],
      ['Rasid-Ops', String(ops)],
      ['Rasid-Photos', String(photos)],
    ],
    request.now.toISOString().slice(0, 10),
    [{ path: GUIDE_FILE, bytes: new Uint8Array(readFileSync(new URL('../../../docs/verify-evidence.md', import.meta.url))) }],
  );
  for (const tag of tags) writeFileSync(join(out, tag.path), tag.bytes, { flag: 'wx' });
  return {
    reports: reports.size,
    ops,
    photos,
    root: { short, fingerprint },
    unverified,
    beforeRoot,
    photosLeftOut,
    unknownReports: [...(chosen ?? [])].filter((id) => !found.has(id)),
  };
}

/**
 * Opens a photo's sealed blob from the base's bytes into the bag, hashing as it writes; undefined
 * (and nothing left in the bag) when it does not open, or opens to other bytes than the op signs.
 */
async function writePhoto(blobs: BlobBytes, uploadId: string, a: Attachment, out: string): Promise<PayloadEntry | undefined> {
  const path = photoPath(a);
  const file = join(out, path);
  mkdirSync(dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'wx' });
  const hash = createHash('sha256');
  let bytes = 0;
  let opened = true;
  try {
    const rawKey = fromBase64url(a.key);
    if (!rawKey) throw new BlobDoesNotOpen();
    for await (const chunk of openBlobPieces(await importBlobKey(rawKey), a.blob.bytes, blobs.read(uploadId, 0, a.blob.bytes))) {
      hash.update(chunk);
      bytes += chunk.length;
      if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    }
  } catch (error) {
    if (!(error instanceof BlobDoesNotOpen)) throw error;
    opened = false;
  }
  stream.end();
  await finished(stream);
  const sha256 = hash.digest('hex');
  if (opened && sha256 === a.sha256 && bytes === a.bytes) return { path, sha256, bytes };
  rmSync(file);
  return undefined;
}
