/**
 * What the screens do to reports: create, edit, delete, and read them back for the list.
 * Every change goes through writeOp; reading never trusts stored data to be well formed.
 */
import { deleteBody, editBody, viewOf, type ReportView } from '../../domain/merge.ts';
import { TYPE_FIELD } from '../../domain/op.ts';
import { reportTypeSchema, type FieldName, type ReportContent } from '../../domain/report.ts';
import type { ReportRow } from './db.ts';
import { writeOp, type WriterContext } from './write-op.ts';
import { uuidv7 } from '../../domain/ids.ts';

export async function createReport(ctx: WriterContext, content: ReportContent, draftId?: string): Promise<string> {
  const id = uuidv7(ctx.now(), ctx.random);
  await writeOp(ctx, id, (_state, hlc) => ({ kind: 'create', body: { hlc, changes: { ...content, [TYPE_FIELD]: content.type }, supersedes: {} } }), { draftId });
  return id;
}

/** Writes only the fields that changed; each supersedes the heads the editor saw. */
export async function editReport(
  ctx: WriterContext,
  id: string,
  changes: Partial<Record<FieldName, unknown>>,
  draftId?: string,
): Promise<void> {
  await writeOp(ctx, id, (state, hlc) => ({ kind: 'edit', body: editBody(state, changes, hlc) }), { draftId });
}

/** A deletion is an edit: kept, synced, and visible as a conflict if it crossed an edit it did not see. */
export async function deleteReport(ctx: WriterContext, id: string): Promise<void> {
  await writeOp(ctx, id, (state, hlc) => ({ kind: 'edit', body: deleteBody(state, hlc) }));
}

export type ListItem =
  | { ok: true; view: ReportView; unsynced: boolean }
  | { ok: false; id: string; unsynced: boolean };

/** A row this app version cannot read (an unknown type, a damaged record) becomes a visible entry, never a crash. */
export function readRow(row: ReportRow, watermark: number): ListItem {
  const unsynced = row.lastOwnSeq > watermark;
  try {
    if (!reportTypeSchema.safeParse(row.type).success || typeof row.state?.fields !== 'object') {
      return { ok: false, id: String(row.id), unsynced };
    }
    return { ok: true, view: viewOf(row.state), unsynced };
  } catch {
    return { ok: false, id: String(row.id), unsynced };
  }
}
