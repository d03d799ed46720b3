/**
 * Settings' boundary layer, beside the gazetteer, on a coordinator's device only: import a COD-AB
 * GeoJSON layer for the desk's map, load the invented sample, see what is loaded, remove it. The
 * layer stays on this device (boundary-layer.ts): it is neither synced nor sent to the base.
 */
import { useState } from 'preact/hooks';
import { layerLevels, MAX_BOUNDARY_BYTES, MAX_BOUNDARY_MB, mergeLayers, parseBoundaries } from '../../domain/boundaries.ts';
import { loadBoundaryLayer, removeBoundaryLayer, saveBoundaryLayer } from '../boundary-layer.ts';
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

  const importText = async (text: string, name: string, bytes: number) => {
    const parsed = parseBoundaries(text, name, bytes);
    if (!parsed.ok) return setOutcome({ ok: false, message: tr.tk(parsed.error.key, { mb: MAX_BOUNDARY_MB }) });
    await saveBoundaryLayer(mergeLayers(await loadBoundaryLayer(), parsed.layer));
    setVersion((v) => v + 1);
    setOutcome({ ok: true, count: parsed.layer.areas.length, skipped: parsed.skipped });
  };

  const read = async (get: () => Promise<{ text: string; name: string; bytes: number } | undefined>) => {
    setOutcome({ reading: true });
    try {
      const file = await get();
      if (file) await importText(file.text, file.name, file.bytes);
      else setOutcome({ ok: false, message: tr.t('err.boundaries.tooLarge', { mb: MAX_BOUNDARY_MB }) });
    } catch {
      setOutcome({ ok: false, message: tr.t('err.boundaries.read') });
    }
  };

  const onFile = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    // The size is checked before the file is read: a wrong file of a gigabyte must not fill the memory.
    void read(async () => (file.size > MAX_BOUNDARY_BYTES ? undefined : { text: await file.text(), name: file.name, bytes: file.size }));
  };

  const loadSample = () =>
    void read(async () => {
      const text = await (await fetch(SAMPLE_URL)).text();
      return { text, name: SAMPLE_NAME, bytes: text.length };
    });

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
      <button type="button" class="secondary" onClick={loadSample}>
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
