/** Admin areas picked from the device's gazetteer: each level lists the children of the one above. */
import { childrenOf, type AdminLevel } from '../../../domain/gazetteer.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useEnrollment, useGazetteer, useTr } from '../context.ts';
import { ChoiceField, TextField, type FieldProps } from './fields.tsx';
import { href } from '../../router.ts';

const LEVEL_KEYS = ['adm1', 'adm2', 'adm3'] as const;

export function AdminPicker({ prefix, levels, labels, props }: { prefix: string; levels: 2 | 3; labels: MessageKey[]; props: FieldProps }) {
  const tr = useTr();
  const { gazetteer } = useGazetteer();
  const { enrollment } = useEnrollment();
  if (!gazetteer) {
    // A monitor's phone in a deployment gets its gazetteer from the base; anyone else may import one.
    return enrollment?.role === 'monitor' ? (
      <p class="hint">
        {tr.t('field.admin.gazetteerToCome')} <a href={href('sync')}>{tr.t('nav.sync')}</a>
      </p>
    ) : (
      <p class="hint">
        {tr.t('field.admin.noGazetteer')} <a href={href('settings')}>{tr.t('nav.settings')}</a>
      </p>
    );
  }
  const keys = LEVEL_KEYS.slice(0, levels).map((l) => `${prefix}.${l}`);
  const pick = (index: number, value: string) => {
    props.set(keys[index]!, value);
    // A new governorate makes the district and sub-district below it meaningless.
    for (const deeper of keys.slice(index + 1)) if (props.values[deeper]) props.set(deeper, '');
  };
  return (
    <>
      {keys.map((key, i) => {
        const parent = i === 0 ? undefined : props.values[keys[i - 1]!];
        if (i > 0 && !parent) return null;
        const units = childrenOf(gazetteer, parent || undefined, (i + 1) as AdminLevel);
        const options = units.map((u) => ({ value: u.pcode, label: tr.lang === 'ar' ? u.ar : u.en }));
        return <ChoiceField key={key} k={key} label={labels[i]!} options={options} props={{ ...props, set: (_k, v) => pick(i, v) }} />;
      })}
    </>
  );
}

export function PlaceField({ field, props }: { field: 'origin' | 'destination'; props: FieldProps }) {
  const tr = useTr();
  return (
    <fieldset class="group">
      <legend>{tr.t(`field.${field}`)}</legend>
      <TextField k={`${field}.name`} label={`field.${field}.name`} props={props} />
      <AdminPicker prefix={field} levels={2} labels={[`field.${field}.adm1`, `field.${field}.adm2`]} props={props} />
    </fieldset>
  );
}
