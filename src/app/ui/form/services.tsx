/**
 * "Add another service" on a new access-cut form: each further service in a slot of its own, offering
 * the services not yet taken, so one Save writes a report per service (forms/services.ts). The slots
 * are form values, written to the draft as any input is.
 */
import { useEffect, useRef } from 'preact/hooks';
import { SERVICES } from '../../../domain/report-codes.ts';
import { MORE_SERVICES, moreServices, moreServicesValue, servicesLeft } from '../../forms/services.ts';
import { useTr } from '../context.ts';
import { inputId, type FieldProps } from './fields.tsx';

/** A slot's number as the monitor counts the services: the form's own is the first. */
const numberOf = (slot: number) => slot + 2;
const slotId = (slot: number) => inputId(`${MORE_SERVICES}.${slot}`);

export function MoreServices({ props }: { props: FieldProps }) {
  const tr = useTr();
  const slots = moreServices(props.values);
  const setSlots = (next: string[]) => props.set(MORE_SERVICES, moreServicesValue(next));
  // A slot just added takes the focus, so the service is picked next; one added back by a reload does not.
  const added = useRef(false);
  useEffect(() => {
    if (!added.current) return;
    added.current = false;
    document.getElementById(slotId(slots.length - 1))?.focus();
  }, [slots.length]);

  const add = () => {
    added.current = true;
    setSlots([...slots, '']);
  };
  return (
    <div class="more-services">
      {slots.map((slot, i) => {
        const left = servicesLeft(props.values, i);
        return (
          // By position: a slot is its place in the list, and leaving one out renumbers those after it.
          <div class="field" key={i}>
            <div class="label-line">
              <label for={slotId(i)}>{tr.t('field.service.more', { n: numberOf(i) })}</label>
            </div>
            <div class="more-service">
              <select id={slotId(i)} value={slot} onChange={(e) => setSlots(slots.map((s, j) => (j === i ? e.currentTarget.value : s)))}>
                <option value="">{tr.t('choice.unset')}</option>
                {SERVICES.filter((s) => s === slot || left.includes(s)).map((s) => (
                  <option key={s} value={s}>
                    {tr.tk(`code.service.${s}`)}
                  </option>
                ))}
              </select>
              <button
                type="button"
                class="secondary"
                aria-label={tr.t('action.leaveOutService', { n: numberOf(i) })}
                onClick={() => setSlots(slots.filter((_, j) => j !== i))}
              >
                {tr.t('action.leaveOut')}
              </button>
            </div>
          </div>
        );
      })}
      {slots.length > 0 && <p class="hint">{tr.t('form.moreServices.hint')}</p>}
      {servicesLeft(props.values, slots.length).length > 0 && (
        <div class="actions">
          <button type="button" class="secondary" onClick={add}>
            {tr.t('action.addService')}
          </button>
        </div>
      )}
    </div>
  );
}
