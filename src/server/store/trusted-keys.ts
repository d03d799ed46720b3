/**
 * The trusted roster as the base reads it: the roster statements it stores (roster ops travel signed
 * in clear) and those arriving in a push, judged by the trust rule (docs/security.md, "Who is
 * trusted: the rule") under the deployment's root. The base then checks a device's outer signature
 * against the key that roster gives it at each op's `deviceSeq`, and knows its role and cut-off, even
 * when the device never enrolled with this base: a new or restored base rebuilt from a coordinator's
 * relays verifies them too, as long as the coordinator pushes the roster first.
 */
import type { Kysely } from 'kysely';
import { readWireHeader, SEALED_OP_VERSION, type WireHeader } from '../../domain/op/header.ts';
import { checkOpSignatureText } from '../../domain/op/signature.ts';
import type { Op } from '../../domain/op/op.ts';
import { ROSTER_ID, statementOf } from '../../domain/roster.ts';
import { trustedRoster, type PinnedRoot, type RosterStatement, type TrustedRoster } from '../../domain/trusted-roster.ts';
import type { PushedOp } from './rules.ts';
import type { Database } from './schema.ts';
import { headerOfRow } from './pull.ts';

interface SignedStatement extends RosterStatement {
  header: WireHeader;
  body: string;
  sig: string;
}

/** A roster op's statement, when it is one: version 2, signed, with a body that is a JSON object. */
function statementOfSigned(header: WireHeader, body: string, sig: unknown): SignedStatement | undefined {
  if (header.v !== SEALED_OP_VERSION || header.kind !== 'deployment' || header.reportId !== ROSTER_ID || typeof sig !== 'string') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const changes = (parsed as { changes?: unknown } | null)?.changes;
  if (typeof changes !== 'object' || changes === null) return undefined;
  const op = { id: header.id, device: header.device, deviceSeq: header.deviceSeq, body: { changes } } as Op;
  return { ...statementOf(op), header, body, sig };
}

function signedBy(s: SignedStatement, signingKey: string): Promise<boolean> {
  return checkOpSignatureText(signingKey, s.header, s.body, s.sig);
}

/** The roster as last read, by the root and the stored statements it was read from. */
let last: { key: string; trusted: TrustedRoster } | undefined;

/**
 * The trusted roster over the stored roster statements and those in `pushed`, or undefined while
 * the base has no root. Read again only when the stored statements or the root changed, or a push
 * brings statements of its own.
 */
export async function trustedRosterAtBase(
  db: Kysely<Database>,
  root: PinnedRoot | undefined,
  pushed: readonly PushedOp[],
): Promise<TrustedRoster | undefined> {
  if (!root) return undefined;
  // Only a statement whose header reads: one the base refuses for its header counts for nothing.
  const arriving = pushed.flatMap((o) => {
    const read = readWireHeader(typeof o === 'object' && o !== null ? o.header : undefined);
    const s = read.ok ? statementOfSigned(read.header, o.body, o.sig) : undefined;
    return s ? [s] : [];
  });
  const shape = await db
    .selectFrom('ops')
    .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('seq').as('top')])
    .where('report_id', '=', ROSTER_ID)
    .where('status', '=', 'ok')
    .executeTakeFirst();
  const key = `${root.signing} ${String(shape?.n ?? 0)} ${String(shape?.top ?? 0)}`;
  if (arriving.length === 0 && last?.key === key) return last.trusted;
  const rows = await db
    .selectFrom('ops')
    .select(['id', 'v', 'kind', 'report_id', 'device', 'device_seq', 'body', 'sig'])
    .where('report_id', '=', ROSTER_ID)
    .where('status', '=', 'ok')
    .execute();
  const stored = rows.flatMap((r) => {
    const s = statementOfSigned(headerOfRow(r), r.body, r.sig);
    return s ? [s] : [];
  });
  const held = new Set(stored.map((s) => s.opId));
  const trusted = await trustedRoster([...stored, ...arriving.filter((s) => !held.has(s.opId))], root, signedBy);
  if (arriving.length === 0) last = { key, trusted };
  return trusted;
}
