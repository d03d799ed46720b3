/**
 * The desk's filter form: search, type, verification, admin areas, event dates, device, conflicts and
 * reports under no admin area. The list and the map show the same form over the same filters.
 */
import type { ComponentChildren } from 'preact';
import { useMemo } from 'preact/hooks';
import { areaLabel } from '../../../domain/gazetteer.ts';
import { REPORT_TYPES, VERIFICATION_STATUSES } from '../../../domain/report-codes.ts';
import { UNKNOWN_DEVICE, areaChoices, deviceChoices, parseDateBound, type DeskFilter, type IndexedReport } from '../../desk/filter.ts';
import { deviceName, useDeviceLabels } from '../../desk/device-labels.ts';
import { useTr, useWriter } from '../context.ts';
import { isolate } from '../format.ts';
import './desk-list.css';

/** The filters as typed: `from` and `to` are the text in their fields, a date only once it reads as one. */
type FormState = DeskFilter;

/** The event date bounds: one group, one hint, and the hint turns into the error while a bound cannot be read. */
function DateRange({ from, to, set }: { from: string; to: string; set: (patch: { from?: string; to?: string }) => void }) {
  const tr = useTr();
  const bounds = { from: parseDateBound(from), to: parseDateBound(to) };
  const allRead = bounds.from.ok && bounds.to.ok;
  const input = (name: 'from' | 'to', value: string) => (
    <div class="desk-filter">
      <label for={`desk-filter-${name}`}>{tr.t(name === 'from' ? 'desk.filter.from' : 'desk.filter.to')}</label>
      <input
        id={`desk-filter-${name}`}
        type="text"
        inputMode="numeric"
        autocomplete="off"
        value={value}
        aria-invalid={bounds[name].ok ? undefined : true}
        aria-describedby="desk-filter-date-hint"
        onInput={(e) => set({ [name]: e.currentTarget.value })}
      />
    </div>
  );
  return (
    <fieldset class="desk-dates">
      <legend>{tr.t('field.eventDate')}</legend>
      {input('from', from)}
      {input('to', to)}
      <p id="desk-filter-date-hint" class={allRead ? 'hint' : 'field-error'}>
        {tr.t(allRead ? 'desk.filter.dateHint' : 'desk.filter.dateInvalid')}
      </p>
    </fieldset>
  );
}

interface ChoiceProps {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  children: ComponentChildren;
  /** Spans the whole width of the filters: for choices with long labels. */
  wide?: boolean;
}

function Choice({ id, label, value, onChange, children, wide }: ChoiceProps) {
  return (
    <div class={wide ? 'desk-filter desk-wide' : 'desk-filter'}>
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {children}
      </select>
    </div>
  );
}

/** The filters and the search, above the desk's list and its map alike. */
export function DeskFilters({
  form,
  set,
  index,
}: {
  form: FormState;
  set: (patch: Partial<FormState>) => void;
  index: readonly IndexedReport[];
}) {
  const tr = useTr();
  const { writer } = useWriter();
  const labels = useDeviceLabels(writer.db);
  const lang = tr.lang;
  const adm1 = useMemo(() => areaChoices(index, 1, lang), [index, lang]);
  const adm2 = useMemo(() => areaChoices(index, 2, lang, form.adm1), [index, lang, form.adm1]);
  const devices = useMemo(() => deviceChoices(index), [index]);
  const choice = (name: string, count: number) => tr.t('desk.filter.choice', { name, count });
  return (
    <form role="search" aria-label={tr.t('desk.filters')} class="desk-filters" onSubmit={(e) => e.preventDefault()}>
      <div class="desk-filter desk-wide">
        <label for="desk-search">{tr.t('desk.search')}</label>
        <input
          id="desk-search"
          type="search"
          autocomplete="off"
          value={form.query}
          aria-describedby="desk-search-hint"
          onInput={(e) => set({ query: e.currentTarget.value })}
        />
        <p id="desk-search-hint" class="hint">
          {tr.t('desk.search.hint')}
        </p>
      </div>
      <Choice
        id="desk-filter-type"
        label={tr.t('desk.filter.type')}
        value={form.type}
        onChange={(v) => set({ type: REPORT_TYPES.find((t) => t === v) ?? '' })}
      >
        <option value="">{tr.t('desk.filter.anyType')}</option>
        {REPORT_TYPES.map((t) => (
          <option key={t} value={t}>
            {tr.t(`type.${t}`)}
          </option>
        ))}
      </Choice>
      <Choice
        id="desk-filter-verification"
        label={tr.t('desk.filter.verification')}
        value={form.verification}
        onChange={(v) => set({ verification: VERIFICATION_STATUSES.find((s) => s === v) ?? '' })}
      >
        <option value="">{tr.t('desk.filter.anyVerification')}</option>
        {VERIFICATION_STATUSES.map((s) => (
          <option key={s} value={s}>
            {tr.t(`code.verification.${s}`)}
          </option>
        ))}
      </Choice>
      <Choice wide id="desk-filter-adm1" label={tr.t('desk.filter.adm1')} value={form.adm1} onChange={(v) => set({ adm1: v, adm2: '' })}>
        <option value="">{tr.t('desk.filter.anyAdm1')}</option>
        {adm1.map((c) => (
          <option key={c.value} value={c.value}>
            {choice(areaLabel(c.area, lang), c.count)}
          </option>
        ))}
      </Choice>
      <Choice wide id="desk-filter-adm2" label={tr.t('desk.filter.adm2')} value={form.adm2} onChange={(v) => set({ adm2: v })}>
        <option value="">{tr.t('desk.filter.anyAdm2')}</option>
        {adm2.map((c) => (
          <option key={c.value} value={c.value}>
            {choice(areaLabel(c.area, lang), c.count)}
          </option>
        ))}
      </Choice>
      <DateRange from={form.from} to={form.to} set={set} />
      <Choice wide id="desk-filter-device" label={tr.t('desk.filter.device')} value={form.device} onChange={(device) => set({ device })}>
        <option value="">{tr.t('desk.filter.anyDevice')}</option>
        {devices.map((d) => (
          <option key={d.value} value={d.value}>
            {choice(d.value === UNKNOWN_DEVICE ? tr.t('desk.device.unknown') : isolate(deviceName(labels, d.value)), d.count)}
          </option>
        ))}
      </Choice>
      <label class="check desk-wide">
        <input type="checkbox" checked={form.conflict} onChange={(e) => set({ conflict: e.currentTarget.checked })} />
        {tr.t('desk.filter.conflict')}
      </label>
      <label class="check desk-wide">
        <input type="checkbox" checked={form.noArea} onChange={(e) => set({ noArea: e.currentTarget.checked })} />
        {tr.t('desk.filter.noArea')}
      </label>
    </form>
  );
}
