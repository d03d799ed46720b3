/** How a held op travels: as it was sealed (or signed) once, or in format 1 when it never was. */
import { toWire } from '../../domain/op/outgoing.ts';
import type { WireOp } from '../../domain/op/wire.ts';
import type { OpRow } from '../store/db.ts';

export function wireOf(row: OpRow): WireOp {
  return row.wire ?? toWire(row, row.rawBody);
}
