/**
 * Which body codecs a new op may be sealed with (decision 092). Each device says which it opens when
 * it enrolls and at each sync; the base keeps the last it said, and answers those that every device
 * not revoked opens. A device that said nothing (enrolled by an earlier app, or another client) opens
 * those every reader of format 2 opens, so a newer codec waits until it has said more.
 *
 * The base cannot read a body, and nothing here lets it: a base that answers a codec some device
 * does not open can only make that device set aside what it cannot read, as withholding ops would.
 */
import type { Kysely } from 'kysely';
import type { DeviceId } from '../../domain/ids.ts';
import { CODECS_OF_EVERY_READER } from '../../domain/op/codecs.ts';
import type { Database } from './schema.ts';

/** The stored form: the codecs with those of every reader, sorted, once each. */
export function codecsText(codecs: readonly number[]): string {
  return [...new Set([...CODECS_OF_EVERY_READER, ...codecs])].sort((a, b) => a - b).join(',');
}

/** Keeps what a device said; written only when it changed, so a sync round writes nothing for it. */
export async function noteCodecs(db: Kysely<Database>, device: DeviceId, codecs: readonly number[]): Promise<void> {
  const text = codecsText(codecs);
  await db
    .updateTable('devices')
    .set({ codecs: text })
    .where('device', '=', device)
    .where((eb) => eb.or([eb('codecs', 'is', null), eb('codecs', '!=', text)]))
    .execute();
}

/** The codecs every device not revoked opens, sorted. */
export async function commonCodecs(db: Kysely<Database>): Promise<number[]> {
  const rows = await db.selectFrom('devices').select('codecs').distinct().where('revoked_at', 'is', null).execute();
  let common: Set<number> | undefined;
  for (const { codecs } of rows) {
    const said = new Set((codecs ?? codecsText([])).split(',').map(Number));
    common = common ? new Set([...common].filter((c) => said.has(c))) : said;
  }
  return [...(common ?? new Set(CODECS_OF_EVERY_READER))].sort((a, b) => a - b);
}
