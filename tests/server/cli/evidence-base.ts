/**
 * For the evidence archive's tests: a base on disk (SQLite and its blob folder) filled through the
 * real API as desks and phones fill it. A coordinator makes the root and the deployment key; the
 * root names the coordinator, who names a monitor; the monitor files two reports sealed, one with a
 * photo whose sealed blob it uploads by tus, and another photo it has not sent yet; the coordinator
 * verifies the first report. The deployment key's file is written beside the store.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBlobKey, newBlobKey, sealBlob } from '../../../src/domain/crypto/blob-seal.ts';
import { toBase64url } from '../../../src/domain/crypto/bytes.ts';
import type { SigningKeyPair } from '../../../src/domain/crypto/keys.ts';
import { cryptoRandom, newOpId, newReportId, type ReportId } from '../../../src/domain/ids.ts';
import { editBody, emptyState, settingBody } from '../../../src/domain/merge.ts';
import type { Attachment } from '../../../src/domain/op/op.ts';
import type { WireOp } from '../../../src/domain/op/wire.ts';
import { signRootStatement } from '../../../src/domain/root-statement.ts';
import { rosterField, ROSTER_ID } from '../../../src/domain/roster.ts';
import { BLOB_FOLDER_NAME, folderBytes } from '../../../src/server/blobs/folder-bytes.ts';
import { tableBytes } from '../../../src/server/blobs/table-bytes.ts';
import { openStore } from '../../../src/server/store/index.ts';
import { photo } from '../../domain/photo/jpeg-fixture.ts';
import { deviceId } from '../../ids.ts';
import { testServer, type TestServer } from '../http/harness.ts';
import { hlcAt, keyFileIn, opOf, rosterEntry, seal } from './sealed-base.ts';

export const COORDINATOR = deviceId('desk-coordinator-evidence');
export const MONITOR = deviceId('phone-monitor-evidence');
/** In the photo's EXIF: found in the archive's original, which keeps every byte the phone kept. */
export const CAMERA_MARKER = 'Evidence-Cam-7731';

export interface EvidenceBase {
  dataDir: string;
  keyFile: string;
  root: SigningKeyPair;
  /** The report with the photo, and the one whose photo never reached the base. */
  withPhoto: ReportId;
  photoAbsent: ReportId;
  /** The original as the monitor kept it, and the one not sent. */
  original: Uint8Array;
  absentSha256: string;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function attachmentOf(original: Uint8Array<ArrayBuffer>): Promise<{ attachment: Attachment; sealed: Uint8Array }> {
  const rawKey = newBlobKey(cryptoRandom);
  const sealed = await sealBlob(await importBlobKey(rawKey), original);
  return {
    sealed,
    attachment: {
      sha256: sha256(original),
      bytes: original.length,
      mime: 'image/jpeg',
      capturedAt: '2026-03-20T07:45:12.000Z',
      blob: { sha256: sha256(sealed), bytes: sealed.length },
      key: toBase64url(rawKey),
    },
  };
}

async function pushed(server: TestServer, token: string, wires: WireOp[]): Promise<void> {
  const answer = await server.sync(token, { ops: wires });
  const refused = answer.results.filter((r) => r.status !== 'ack');
  if (refused.length > 0) throw new Error(`the base did not take: ${JSON.stringify(refused)}`);
}

/** Uploads a sealed blob by tus, as a phone does: a POST, then one PATCH with every byte. */
async function upload(server: TestServer, token: string, sealed: Uint8Array, blob: Attachment['blob']): Promise<void> {
  const tus = { 'Tus-Resumable': '1.0.0' };
  const begun = await server.call('/api/v1/blobs/uploads', {
    method: 'POST',
    token,
    headers: { ...tus, 'Upload-Length': String(blob.bytes), 'Upload-Metadata': `sha256 ${Buffer.from(blob.sha256).toString('base64')}` },
  });
  if (begun.status !== 201) throw new Error(`the upload did not begin: ${begun.status} ${await begun.text()}`);
  const sent = await server.call(begun.headers.get('Location')!, {
    method: 'PATCH',
    token,
    headers: { ...tus, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
    body: Buffer.from(sealed),
  });
  if (sent.status !== 204) throw new Error(`the upload was not taken: ${sent.status} ${await sent.text()}`);
}

/**
 * On SQLite in a new folder, blobs beside it; or, given `databaseUrl`, on PostgreSQL with blobs in
 * the database (the folder then holds the key file alone).
 */
export async function evidenceBase(databaseUrl?: string): Promise<EvidenceBase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rasid-evidence-base-'));
  const store = await openStore(databaseUrl === undefined ? { dataDir } : { databaseUrl });
  try {
    const server = testServer(store, {
      blobBytes: databaseUrl === undefined ? folderBytes(join(dataDir, BLOB_FOLDER_NAME)) : tableBytes(store.db),
    });
    const coordinator = await server.enrollSealer(undefined, COORDINATOR, 'coordinator');
    const { root, deployment } = await server.makeKeys(coordinator.token);
    const at = (minutes: number) => Date.UTC(2026, 2, 20, 9) + minutes * 60_000;

    await pushed(server, coordinator.token, [
      await signRootStatement(root, {
        id: newOpId(at(0), cryptoRandom),
        deviceSeq: 1,
        at: at(0),
        entries: [{ ...rosterEntry(COORDINATOR, 'coordinator', coordinator.sealer), device: COORDINATOR }],
        deploymentKey: deployment.publicKey.text,
      }),
    ]);
    // A monitor enrolls once the deployment has its keys, and counts once a coordinator names it.
    const monitor = await server.enrollSealer(coordinator.token, MONITOR, 'monitor');
    await pushed(server, coordinator.token, [
      await seal(
        opOf(
          'deployment',
          ROSTER_ID,
          COORDINATOR,
          1,
          settingBody(
            emptyState(ROSTER_ID),
            { [rosterField(MONITOR)]: rosterEntry(MONITOR, 'monitor', monitor.sealer) },
            hlcAt(COORDINATOR, 1),
          ),
        ),
        coordinator.sealer,
        [],
      ),
    ]);

    const original = new Uint8Array(photo({ camera: CAMERA_MARKER }));
    const sent = await attachmentOf(original);
    const notSent = await attachmentOf(new Uint8Array(photo({ camera: `${CAMERA_MARKER}-2` })));
    const [withPhoto, photoAbsent] = [newReportId(at(10), cryptoRandom), newReportId(at(11), cryptoRandom)];
    const toDesk = [deployment.publicKey, monitor.sealer.agreement.publicKey];
    const create = (id: ReportId, seq: number, place: string, attachment: Attachment) =>
      seal(
        opOf('create', id, MONITOR, seq, {
          hlc: hlcAt(MONITOR, 10 + seq),
          changes: { type: 'damage', eventDate: '2026-03-19', placeName: place, narrative: 'احترق المخبز بعد القصف' },
          supersedes: {},
          attachments: [attachment],
        }),
        monitor.sealer,
        toDesk,
      );
    await pushed(server, monitor.token, [
      await create(withPhoto, 1, 'حي الرمل الجنوبي', sent.attachment),
      await create(photoAbsent, 2, 'حي الصليبة', notSent.attachment),
    ]);
    await upload(server, monitor.token, sent.sealed, sent.attachment.blob);
    await pushed(server, coordinator.token, [
      await seal(
        opOf('edit', withPhoto, COORDINATOR, 2, editBody(emptyState(withPhoto), { verification: 'verified' }, hlcAt(COORDINATOR, 30))),
        coordinator.sealer,
        [deployment.publicKey, coordinator.sealer.agreement.publicKey, monitor.sealer.agreement.publicKey],
      ),
    ]);
    const { file: keyFile } = await keyFileIn(dataDir, 'deployment-key.json', { pair: deployment });
    return { dataDir, keyFile, root, withPhoto, photoAbsent, original, absentSha256: notSent.attachment.sha256 };
  } finally {
    await store.close();
  }
}
