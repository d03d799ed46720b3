/**
 * Drafts: a form as typed, written on every change so a killed page or a dead battery loses nothing.
 * Writes to one draft are chained, newest last, so a slow write never lands after a newer one.
 */
import type { ReportId } from '../../domain/ids.ts';
import type { DraftRow, RasidDb } from './db.ts';

const pending = new Map<string, Promise<void>>();

export function keepDraft(db: RasidDb, draft: DraftRow): Promise<void> {
  const previous = pending.get(draft.id) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => db.drafts.put(draft).then(() => undefined));
  pending.set(draft.id, next);
  // The caller gets the failure through `next`; this bookkeeping must not raise it a second time.
  const forget = () => {
    if (pending.get(draft.id) !== next) return;
    pending.delete(draft.id);
    // Every write asked for so far has landed (or failed): a mark, kept only in this page's memory,
    // tells when a page may be closed without losing a keystroke.
    performance.mark('draft:settled');
  };
  next.then(forget, forget);
  return next;
}

/** Lets a save wait for the draft writes before it, so removing the draft cannot be overtaken by one. */
export async function settledDrafts(id: string): Promise<void> {
  await pending.get(id)?.catch(() => undefined);
}

/** Lets the page go (an update's reload) only once every draft write asked for has landed. */
export async function settledAllDrafts(): Promise<void> {
  await Promise.all([...pending.values()].map((p) => p.catch(() => undefined)));
}

export function listDrafts(db: RasidDb): Promise<DraftRow[]> {
  return db.drafts.orderBy('updatedAt').reverse().toArray();
}

/** The newest draft of a new report, or with `reportId` of an edit of that report: what a form opened afresh offers back. */
export async function latestDraft(db: RasidDb, reportId?: ReportId): Promise<DraftRow | undefined> {
  return (await listDrafts(db)).find((d) => d.reportId === reportId);
}

export function discardDraft(db: RasidDb, id: string): Promise<void> {
  return db.drafts.delete(id);
}
