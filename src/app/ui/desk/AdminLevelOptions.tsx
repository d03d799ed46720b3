/** The admin levels as `<option>`s, named as exports name them, for the profile editor. */
import { ADMIN_LEVELS } from '../../../domain/gazetteer.ts';
import { useTr } from '../context.ts';

export function AdminLevelOptions() {
  const tr = useTr();
  return (
    <>
      {ADMIN_LEVELS.map((l) => (
        <option key={l} value={String(l)}>
          {tr.t(`exports.level.${l}`)}
        </option>
      ))}
    </>
  );
}
