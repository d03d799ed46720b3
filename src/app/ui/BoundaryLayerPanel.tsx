/**
 * Settings' boundary layer, beside the gazetteer, on a coordinator's device only: import a COD-AB
 * GeoJSON layer for the desk's map, load the invented sample, see what is loaded, remove it. The
 * layer stays on this device (boundary-layer.ts): it is neither synced nor sent to the base.
 */
import { useState } from 'preact/hooks';
import { layerLevels, MAX_BOUNDARY_BYTES, MAX_BOUNDARY_MB, mergeLayers } from '../../domain/boundaries.ts';
import { loadBoundaryLayer, removeBoundaryLayer, saveBoundaryLayer } from '../boundary-layer.ts';
import { readBoundaries } from '../read-boundaries.ts';
import { useTr } from './context.ts';
import { useAsync } from './use-async.ts';

const SAMPLE_NAME = 'sample-boundaries-invented.geojson';
const SAMPLE_URL = `/boundaries/${SAMPLE_NAME}`;

type Outcome =
  { ok: true; count: number; skipped: number } | { ok: true; removed: true } | { ok: false; message: string } | { reading: true };

export function BoundaryLayerPanel() {
  const tr = useTr();
  const [version, setVersion] = useState(0);
  const layer = useAsync(loadBoundaryLayer, [version]).value;
  const [outcome, setOutcome] = useState<Outcome>();

  /** The size is checked before the file is read: a wrong file of a gigabyte must not fill the memory. */
  const importFile = async (file: Blob, name: string) => {
    if (file.size > MAX_BOUNDARY_BYTES) return setOutcome({ ok: false, message: tr.t('err.boundaries.tooLarge', { mb: MAX_BOUNDARY_MB }) });
    setOutcome({ reading: true });
    try {
      const parsed = await readBoundaries(file, name);
      if (!parsed.ok) return setOutcome({ ok: false, message: tr.tk(parsed.error.key, { mb: MAX_BOUNDARY_MB }) });
      await saveBoundaryLayer(mergeLayers(await loadBoundaryLayer(), parsed.layer));
      setVersion((v) => v + 1);
      setOutcome({ ok: true, count: parsed.layer.areas.length, skipped: parsed.skipped });
    } catch {
      setOutcome({ ok: false, message: tr.t('err.boundaries.read') });
    }
  };

  const onFile = (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file) void importFile(file, file.name);
  };

  const loadSample = async () => {
    try {
      await importFile(await (await fetch(SAMPLE_URL)).blob(), SAMPLE_NAME);
    } catch {
      setOutcome({ ok: false, message: tr.t('err.boundaries.read') });
    }
  };

  const remove = async () => {
    await removeBoundaryLayer();
    setVersion((v) => v + 1);
    setOutcome({ ok: true, removed: true });
  };

  return (
    <section class="form-section" aria-labelledby="boundaries-h">
      <h2 id="boundaries-h">{tr.t('boundaries.title')}</h2>
      {layer ? (
        <>
          <p>{tr.t('boundaries.loaded', { name: layer.name })}</p>
          <ul aria-labelledby="boundaries-h">
            {layerLevels(layer).map(({ level, count }) => (
              <li key={level}>{tr.plural(`boundaries.count.${level}`, count)}</li>
            ))}
          </ul>
        </>
      ) : (
        <p>{tr.t('boundaries.none')}</p>
      )}
      <div class="field">
        <label for="boundaries-file">{tr.t('boundaries.file', { mb: MAX_BOUNDARY_MB })}</label>
        <input
          id="boundaries-file"
          type="file"
          accept=".geojson,.json,application/geo+json,application/json"
          aria-describedby="boundaries-hint"
          onChange={onFile}
        />
        <p id="boundaries-hint" class="hint">
          {tr.t('boundaries.hint')}
        </p>
      </div>
      <button type="button" class="secondary" onClick={() => void loadSample()}>
        {tr.t('boundaries.loadSample')}
      </button>
      {layer && (
        <button type="button" class="secondary" onClick={() => void remove()}>
          {tr.t('boundaries.remove')}
        </button>
      )}
      {outcome && (
        <div role="status">
          {'reading' in outcome ? (
            <p>{tr.t('boundaries.reading')}</p>
          ) : !outcome.ok ? (
            <p class="form-error">{outcome.message}</p>
          ) : 'removed' in outcome ? (
            <p>{tr.t('boundaries.removed')}</p>
          ) : (
            <>
              <p>{tr.plural('boundaries.imported', outcome.count)}</p>
              {outcome.skipped > 0 && <p>{tr.plural('boundaries.skipped', outcome.skipped)}</p>}
            </>
          )}
        </div>
      )}
    </section>
  );
}
