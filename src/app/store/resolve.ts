/**
 * A coordinator's choices on conflicts, each an op written through writeOp that supersedes every
 * head it saw: one value of a field, or, when a delete crossed an edit, keeping the report deleted
 * or restoring it with the values the delete had superseded.
 */
import { deleteBody, DELETED_FIELD, editBody, TYPE_FIELD, type FieldVersion } from '../../domain/merge.ts';
import type { OpId, ReportId } from '../../domain/ids.ts';
import type { FieldName } from '../../domain/report.ts';
import { writeOp, type WriterContext } from './write-op.ts';

export async function chooseValue(ctx: WriterContext, id: ReportId, field: string, value: unknown): Promise<void> {
  await writeOp(ctx, id, (state, hlc) => ({ kind: 'edit', body: editBody(state, { [field as FieldName]: value }, hlc) }));
}

export async function keepDeleted(ctx: WriterContext, id: ReportId): Promise<void> {
  await writeOp(ctx, id, (state, hlc) => ({ kind: 'edit', body: deleteBody(state, hlc) }));
}

/**
 * Undoes the deletion: `deleted` becomes false, and each field left with no value gets back the
 * value the delete superseded (the newest, when the delete saw several).
 */
export async function restoreReport(ctx: WriterContext, id: ReportId): Promise<void> {
  const row = await ctx.db.reports.get(id);
  const deletes = (row?.state.fields[DELETED_FIELD]?.heads ?? []).filter((h) => h.value === true);
  const deleteOps = (await ctx.db.ops.bulkGet(deletes.map((h) => h.op))).filter((o) => o !== undefined);
  const superseded = new Map<string, OpId[]>();
  for (const op of deleteOps)
    for (const [field, ids] of Object.entries(op.body.supersedes)) superseded.set(field, [...(superseded.get(field) ?? []), ...ids]);
  const older = new Map(
    (await ctx.db.ops.bulkGet([...new Set([...superseded.values()].flat())])).filter((o) => o !== undefined).map((o) => [o.id, o]),
  );

  await writeOp(ctx, id, (state, hlc) => {
    const changes: Record<string, unknown> = { [DELETED_FIELD]: false };
    for (const [field, ids] of superseded) {
      if (field === DELETED_FIELD || field === TYPE_FIELD || (state.fields[field]?.heads.length ?? 0) > 0) continue;
      const versions: FieldVersion[] = ids.flatMap((opId) => {
        const op = older.get(opId);
        return op && Object.hasOwn(op.body.changes, field)
          ? [{ op: op.id, hlc: op.body.hlc, device: op.device, value: op.body.changes[field] }]
          : [];
      });
      // Newest first, as the merge shows versions: by HLC, then by op id.
      const newest = versions.sort((a, b) => (a.hlc !== b.hlc ? (a.hlc < b.hlc ? 1 : -1) : a.op < b.op ? 1 : -1))[0];
      if (newest) changes[field] = newest.value;
    }
    return { kind: 'edit', body: editBody(state, changes, hlc) };
  });
}
