/**
 * The GPS point of the event. The phone's position is asked for only after the monitor confirms
 * standing where the event happened: a monitor's own track is itself dangerous to record.
 * Never required; typed coordinates accept Eastern Arabic digits.
 */
import { useState } from 'preact/hooks';
import { useTr } from '../context.ts';
import { NumberField, type FieldProps } from './fields.tsx';

const TIMEOUT_S = 20;

type Status =
  | { key: 'field.point.locating' | 'field.point.denied' | 'field.point.unavailable' }
  | { key: 'field.point.timeout' }
  | { key: 'field.point.found'; m: number };

export function PointField({ props }: { props: FieldProps }) {
  const tr = useTr();
  const [confirmed, setConfirmed] = useState(false);
  const [status, setStatus] = useState<Status>();

  const locate = () => {
    if (!('geolocation' in navigator)) return setStatus({ key: 'field.point.unavailable' });
    setStatus({ key: 'field.point.locating' });
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        props.set('point.lat', pos.coords.latitude.toFixed(6));
        props.set('point.lon', pos.coords.longitude.toFixed(6));
        props.set('point.accuracy', String(Math.round(pos.coords.accuracy)));
        setStatus({ key: 'field.point.found', m: Math.round(pos.coords.accuracy) });
      },
      (err) => setStatus({ key: err.code === err.TIMEOUT ? 'field.point.timeout' : 'field.point.denied' }),
      { enableHighAccuracy: true, timeout: TIMEOUT_S * 1000, maximumAge: 0 },
    );
  };
  const clear = () => {
    for (const k of ['point.lat', 'point.lon', 'point.accuracy']) props.set(k, '');
    setStatus(undefined);
  };
  const hasPoint = Boolean(props.values['point.lat'] || props.values['point.lon']);

  return (
    <fieldset class="group">
      <legend>{tr.t('field.point')}</legend>
      <p class="hint">{tr.t('field.point.hint')}</p>
      <label class="check">
        <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.currentTarget.checked)} />
        {tr.t('field.point.confirm')}
      </label>
      <div class="actions">
        <button type="button" disabled={!confirmed} onClick={locate}>
          {tr.t('action.useMyPosition')}
        </button>
        {hasPoint && (
          <button type="button" class="secondary" onClick={clear}>
            {tr.t('action.clearPosition')}
          </button>
        )}
      </div>
      {status && (
        <p role="status" class="hint">
          {status.key === 'field.point.found' ? tr.t(status.key, { m: status.m }) : tr.t(status.key, { s: TIMEOUT_S })}
        </p>
      )}
      <NumberField k="point.lat" label="field.point.lat" decimal props={props} />
      <NumberField k="point.lon" label="field.point.lon" decimal props={props} />
      <NumberField k="point.accuracy" label="field.point.accuracy" decimal props={props} />
    </fieldset>
  );
}
