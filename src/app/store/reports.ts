/**
 * What the screens do to reports: create, edit and delete, each through writeOp.
 */
import { attachmentChanges, deleteBody, editBody, TYPE_FIELD } from '../../domain/merge.ts';
import type { Attachment } from '../../domain/op/op.ts';

import type { FieldName, ReportContent } from '../../domain/report.ts';
import { writeOp, type WriterContext } from './write-op.ts';
import { newReportId, type ReportId } from '../../domain/ids.ts';

/** A new report, with the photos kept for it (keep-photo.ts) added in its create op. */
export async function createReport(
  ctx: WriterContext,
  content: ReportContent,
  draftId?: string,
  photos: readonly Attachment[] = [],
): Promise<ReportId> {
  const id = newReportId(ctx.now(), ctx.random);
  await writeOp(
    ctx,
    id,
    (state, hlc) => ({
      kind: 'create',
      body: { hlc, changes: { ...content, [TYPE_FIELD]: content.type }, supersedes: {}, ...attachmentChanges(state, { add: photos }) },
    }),
    { draftId, fresh: true },
  );
  return id;
}

/**
 * Several reports from one form (an access cut of several services): all of them and the draft's
 * removal land in one transaction, or none does, so a failed save leaves the draft to save again
 * rather than some of its reports saved. Each report has its own create op, as one saved alone would.
 */
export async function createReports(
  ctx: WriterContext,
  contents: readonly ReportContent[],
  draftId?: string,
  photos: readonly Attachment[] = [],
): Promise<ReportId[]> {
  const { db } = ctx;
  return db.transaction('rw', [db.reports, db.settings, db.ops, db.meta, db.drafts], async () => {
    const ids: ReportId[] = [];
    // One after another: each op takes the device's next sequence number from the one before. The
    // photos show the one event: each report carries them (the base holds each blob once).
    for (const [i, content] of contents.entries())
      ids.push(await createReport(ctx, content, i === contents.length - 1 ? draftId : undefined, photos));
    return ids;
  });
}

/** Writes only the fields that changed; each supersedes the heads the editor saw. */
export async function editReport(
  ctx: WriterContext,
  id: ReportId,
  changes: Partial<Record<FieldName, unknown>>,
  draftId?: string,
  photos: { add?: readonly Attachment[]; remove?: readonly string[] } = {},
): Promise<void> {
  await writeOp(
    ctx,
    id,
    (state, hlc) => ({ kind: 'edit', body: { ...editBody(state, changes, hlc), ...attachmentChanges(state, photos) } }),
    {
      draftId,
    },
  );
}

/** A deletion is an edit: kept, synced, and visible as a conflict if it crossed an edit it did not see. */
export async function deleteReport(ctx: WriterContext, id: ReportId): Promise<void> {
  await writeOp(ctx, id, (state, hlc) => ({ kind: 'edit', body: deleteBody(state, hlc) }));
}
