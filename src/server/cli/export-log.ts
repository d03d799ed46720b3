/**
 * The export log entry of a command-line export: an `export:<uuid>` desk setting written by the base
 * itself, as the device `base-cli`, so the desk's export log lists command-line exports beside its
 * own. That device is registered as a coordinator with no token anyone could present, and its op
 * goes through pushOps like any other, with the next number of its own contiguous sequence.
 *
 * Only on a base without a deployment key: the entry is a version-1 op in clear, and `base-cli` has
 * no keys a roster names, so on a sealed base no desk could verify a signed one either.
 */
import type { Kysely } from 'kysely';
import { decodeHlc, encodeHlc, nodeIdOf, tick, type Hlc } from '../../domain/hlc.ts';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { newOpId, uuidv7, type RandomBytes } from '../../domain/ids.ts';
import { emptyState, settingBody } from '../../domain/merge.ts';
import { OP_FORMAT_VERSION } from '../../domain/op/header.ts';
import type { Op } from '../../domain/op/op.ts';
import { bodyText } from '../../domain/op/wire.ts';
import { exportLogEntrySchema, exportLogId, type ExportLogEntry } from '../../export/desk-settings.ts';
import { CODECS_READ } from '../../domain/op/codecs.ts';
import { codecsText } from '../store/codecs.ts';
import { pushOps, REJECT } from '../store/index.ts';
import type { Database } from '../store/schema.ts';
import { opFromStored } from './base-reports.ts';

export const BASE_DEVICE = deviceIdSchema.parse('base-cli');

/** Two exports at once may reach for the same deviceSeq; the second takes the next one. */
const ATTEMPTS = 5;

export interface LogDeps {
  now: () => number;
  random: RandomBytes;
}

export async function recordExport(
  db: Kysely<Database>,
  entry: Omit<ExportLogEntry, 'by'>,
  { now, random }: LogDeps,
): Promise<ExportLogEntry> {
  const logged = exportLogEntrySchema.parse({ ...entry, by: BASE_DEVICE });
  await db
    .insertInto('devices')
    // Not a SHA-256 in hex, so no token hashes to it: nobody can sync as the base.
    .values({
      device: BASE_DEVICE,
      role: 'coordinator',
      token_hash: `base-device-without-token:${BASE_DEVICE}`,
      revoked_at: null,
      created_at: now(),
      public_keys: null,
      // It reads no op, so it holds no codec back (decision 092).
      codecs: codecsText(CODECS_READ),
    })
    .onConflict((oc) => oc.column('device').doNothing())
    .execute();
  const registered = await db.selectFrom('devices').select('role').where('device', '=', BASE_DEVICE).executeTakeFirstOrThrow();
  if (registered.role !== 'coordinator')
    throw new Error(`The device id ${BASE_DEVICE} is enrolled as a ${registered.role} here, so the base cannot log exports under it.`);

  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const last = await db
      .selectFrom('ops')
      .select(['seq', 'id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig', 'osig', 'blobs', 'received_at'])
      .where('device', '=', BASE_DEVICE)
      .orderBy('device_seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const read = last && (await opFromStored(last));
    // The base's clock goes on from its last op, so its own entries stay in order whatever the wall clock does.
    const clock: Hlc = read?.ok ? decodeHlc(read.op.body.hlc) : { wall: 0, counter: 0, node: nodeIdOf(BASE_DEVICE) };
    const hlc = encodeHlc(tick(clock, now()));
    const reportId = exportLogId(uuidv7(now(), random));
    const op: Op = {
      v: OP_FORMAT_VERSION,
      id: newOpId(now(), random),
      kind: 'desk',
      reportId,
      device: BASE_DEVICE,
      deviceSeq: Number(last?.device_seq ?? 0) + 1,
      body: settingBody(emptyState(reportId), { ...logged }, hlc),
    };
    const { body: _body, ...header } = op;
    const [answer] = await pushOps(db, {
      caller: { device: BASE_DEVICE, role: 'coordinator' },
      ops: [{ header, body: bodyText(op) }],
      now: now(),
    });
    if (answer!.status === 'ack') return logged;
    if (answer!.status === 'rejected' && answer!.reason === REJECT.seqTaken) continue;
    throw new Error(`The export log entry was not stored (${answer!.status}: ${answer!.reason}).`);
  }
  throw new Error('The export log entry was not stored: other exports kept taking its number.');
}
