/**
 * What the screens do to reports: create, edit and delete, each through writeOp.
 */
import { deleteBody, editBody, TYPE_FIELD } from '../../domain/merge.ts';

import type { FieldName, ReportContent } from '../../domain/report.ts';
import { writeOp, type WriterContext } from './write-op.ts';
import { newReportId, type ReportId } from '../../domain/ids.ts';

export async function createReport(ctx: WriterContext, content: ReportContent, draftId?: string): Promise<ReportId> {
  const id = newReportId(ctx.now(), ctx.random);
  await writeOp(
    ctx,
    id,
    (_state, hlc) => ({ kind: 'create', body: { hlc, changes: { ...content, [TYPE_FIELD]: content.type }, supersedes: {} } }),
    { draftId },
  );
  return id;
}

/** Writes only the fields that changed; each supersedes the heads the editor saw. */
export async function editReport(
  ctx: WriterContext,
  id: ReportId,
  changes: Partial<Record<FieldName, unknown>>,
  draftId?: string,
): Promise<void> {
  await writeOp(ctx, id, (state, hlc) => ({ kind: 'edit', body: editBody(state, changes, hlc) }), { draftId });
}

/** A deletion is an edit: kept, synced, and visible as a conflict if it crossed an edit it did not see. */
export async function deleteReport(ctx: WriterContext, id: ReportId): Promise<void> {
  await writeOp(ctx, id, (state, hlc) => ({ kind: 'edit', body: deleteBody(state, hlc) }));
}
