/**
 * A draft offered back, on the list and on the form it was typed in: named by its place and type and
 * when it was last typed into, so a monitor with several knows which is which, with Resume and Discard.
 */
import type { Gazetteer } from '../../domain/gazetteer.ts';
import type { Translator } from '../i18n/i18n.ts';
import type { DraftRow } from '../store/db.ts';
import { discardDraft } from '../store/drafts.ts';
import { useGazetteer, useTr, useWriter } from './context.ts';
import { adminName } from './format.ts';

const AREA_LEVELS = ['adm3', 'adm2', 'adm1'] as const;

/** Where a draft says the event was: the place name typed, else the finest area picked, else nothing. */
function draftPlace(values: Record<string, string>, gazetteer: Gazetteer | undefined, lang: string): string {
  const typed = values['placeName']?.trim();
  if (typed) return typed;
  for (const level of AREA_LEVELS) {
    const pcode = values[`admin.${level}`]?.trim().toUpperCase();
    if (!pcode) continue;
    const unit = gazetteer?.units.find((u) => u.pcode === pcode);
    return unit ? adminName(unit, lang) : pcode;
  }
  return '';
}

/** The sentence that offers a draft: its type in its place, unsaved, from when. */
function draftTitle(tr: Translator, draft: DraftRow, gazetteer: Gazetteer | undefined): string {
  const type = tr.tk(`type.${draft.type}`);
  const place = draftPlace(draft.values, gazetteer, tr.lang);
  const name = place ? tr.t('draft.name', { type, place }) : tr.t('draft.nameNoPlace', { type });
  return tr.t(draft.reportId ? 'draft.offerEdit' : 'draft.offer', { name, time: tr.dateTime(draft.updatedAt) });
}

/** A region named by the draft's own sentence: a screen reader's list of regions tells the drafts apart. */
export function DraftOffer({ draft, onResume }: { draft: DraftRow; onResume: () => void }) {
  const tr = useTr();
  const { writer } = useWriter();
  const { gazetteer } = useGazetteer();
  const titleId = `draft-${draft.id}`;
  return (
    <div class="draft-offer" role="region" aria-labelledby={titleId}>
      <p id={titleId}>{draftTitle(tr, draft, gazetteer)}</p>
      <div class="actions">
        <button type="button" class="primary" onClick={onResume}>
          {tr.t('action.resume')}
        </button>
        <button type="button" class="secondary" onClick={() => void discardDraft(writer.db, draft.id)}>
          {tr.t('action.discard')}
        </button>
      </div>
    </div>
  );
}
