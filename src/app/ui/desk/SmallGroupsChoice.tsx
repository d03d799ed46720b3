/**
 * The step between reading and writing a partner's file of reports that holds small groups: how many
 * there are and how many rows they hold, and what becomes of those rows. Keep is chosen until the
 * coordinator says otherwise, as on the command line (docs/decisions.md, 053).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { SMALL_GROUP_CHOICES, type SmallGroupChoice, type SmallGroupCount } from '../../../export/small-groups.ts';
import { useTr } from '../context.ts';

export function SmallGroupsChoice({
  found,
  onWrite,
  onCancel,
}: {
  found: SmallGroupCount;
  onWrite: (choice: SmallGroupChoice) => void;
  onCancel: () => void;
}) {
  const tr = useTr();
  const [choice, setChoice] = useState<SmallGroupChoice>('keep');
  const first = useRef<HTMLInputElement>(null);
  // The Export button this step replaced had the focus; the choice takes it, and its description
  // (the count) is read with it.
  useEffect(() => first.current?.focus(), []);
  return (
    <div class="small-groups">
      <p id="export-small-groups-found">{tr.plural('exports.smallGroups.found', found.groups, { rows: found.rows })}</p>
      <fieldset aria-describedby="export-small-groups-found">
        <legend>{tr.t('exports.smallGroups.legend')}</legend>
        {SMALL_GROUP_CHOICES.map((c) => (
          <label key={c} class="radio">
            <input
              ref={c === 'keep' ? first : undefined}
              type="radio"
              name="export-small-groups"
              value={c}
              checked={choice === c}
              onChange={() => setChoice(c)}
            />
            {tr.t(`exports.smallGroups.${c}`)}
          </label>
        ))}
      </fieldset>
      <div class="actions">
        <button type="button" class="primary" onClick={() => onWrite(choice)}>
          {tr.t('exports.smallGroups.write')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {tr.t('exports.run.cancel')}
        </button>
      </div>
    </div>
  );
}
