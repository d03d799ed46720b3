/**
 * The draft a report form types into, new or an edit: named by the address once the form has one of
 * its own (typed into or resumed), so a reload opens the form with it; until then, the newest draft
 * of the same kind (a new report, or an edit of this report) is offered back.
 */
import { useState } from 'preact/hooks';
import { cryptoRandom, uuidv7, type ReportId } from '../../domain/ids.ts';
import { useLiveQuery } from '../live-query.ts';
import { replaceAddress } from '../router.ts';
import type { DraftRow, RasidDb } from '../store/db.ts';
import { latestDraft } from '../store/drafts.ts';

interface DraftOptions {
  db: RasidDb;
  /** The draft the address names, if it names one. */
  draft: string | undefined;
  /** The edited report; none for a new one. */
  reportId?: ReportId;
  /** The form's address under a draft. */
  address: (draft: string) => string;
  onResume?: (draft: DraftRow) => void;
}

export function useDraftOffer({ db, draft, reportId, address, onResume }: DraftOptions) {
  const [draftId, setDraftId] = useState(() => draft ?? uuidv7(Date.now(), cryptoRandom));
  // A draft resumed from the offer: the form starts again from its values.
  const [resumed, setResumed] = useState<DraftRow>();
  // Whether this form has a draft of its own: named by its address, resumed, or typed into.
  const [own, setOwn] = useState(draft !== undefined);
  const offered = useLiveQuery(() => (own ? Promise.resolve(undefined) : latestDraft(db, reportId)), [db, reportId, own]);
  const take = (id: string) => {
    setOwn(true);
    replaceAddress(address(id));
  };
  return {
    draftId,
    resumed,
    /** The draft offered back, none once the form has its own. */
    offered: own ? undefined : offered,
    resume: (d: DraftRow) => {
      onResume?.(d);
      setDraftId(d.id);
      setResumed(d);
      take(d.id);
    },
    /** The form was typed into: from now on the address names its draft. */
    drafted: () => {
      if (!own) take(draftId);
    },
  };
}
