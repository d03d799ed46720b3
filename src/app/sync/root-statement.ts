/**
 * A root statement written on this desk (with the root file open, or as the keys are made) is kept
 * as any op that arrived: read by the trust rule with the root this device pinned, taken in, and
 * relayed to the base at the next sync like another device's op the base lacks.
 */
import type { WireOp } from '../../domain/op/wire.ts';
import type { RasidDb } from '../store/db.ts';
import { readerOf, type OpKeys } from './op-keys.ts';
import { readBatch } from './take-in.ts';
import { takeIn } from './take-in-steps.ts';

export async function keepRootStatement(db: RasidDb, keys: OpKeys, statement: WireOp, now: () => number): Promise<void> {
  if (!keys.root) throw new Error('err.keys.missing');
  const { read, trust } = await readBatch([statement], await readerOf(db, keys));
  const kept = read[0];
  if (!kept?.ok) throw new Error(kept?.reason ?? 'quarantine.badHeader');
  await takeIn(
    db,
    {
      ops: [{ op: kept.op, ...(kept.wire && { wire: kept.wire }) }],
      toQuarantine: [],
      rejected: [],
      covering: {},
      ...(trust && { trust }),
    },
    { device: keys.self, now },
  );
}
