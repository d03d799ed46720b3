/**
 * Settings: storage on this phone, the gazetteer (imported from a COD-AB CSV, or the shipped sample),
 * on a coordinator's device the boundary layer for the desk's map, this device, the lock.
 */
import { useState } from 'preact/hooks';
import { useAsync } from './use-async.ts';
import { parseCodAbCsv, type SkippedRow } from '../../domain/gazetteer.ts';
import { deviceKeysFingerprint } from '../../domain/crypto/fingerprint.ts';
import { devicePublicKeys } from '../keys/device-keys.ts';
import { saveLocalGazetteer } from '../local-gazetteer.ts';
import { storageStatus } from '../storage-status.ts';
import { isCoordinator, useEnrollment, useGazetteer, useTr, useWriter } from './context.ts';
import { href } from '../router.ts';
import { isolate } from './format.ts';
import { formatBytes } from './format-bytes.ts';
import { LockOptions } from './LockOptions.tsx';
import { KeyRenewalPanel } from './KeyRenewalPanel.tsx';
import { lazyScreen } from './lazy.tsx';
import { PhotoSpace } from './PhotoSpace.tsx';

// Only a coordinator's device shows it: a monitor's phone never loads the boundary layer's code.
const BoundaryLayerPanel = lazyScreen(() => import('./BoundaryLayerPanel.tsx').then((m) => m.BoundaryLayerPanel));

const SAMPLE_URL = '/gazetteer/sample-gazetteer-syrian-coast.csv';

type ImportResult = { ok: true; count: number; skipped: SkippedRow[] } | { ok: false; message: string };

export function Settings() {
  const tr = useTr();
  const { writer } = useWriter();
  const { gazetteer, setGazetteer } = useGazetteer();
  const { enrollment, sync } = useEnrollment();
  // Once enrolled, the gazetteer is the deployment's: coordinators set it for every device, monitors receive it.
  const canImport = !enrollment || isCoordinator(enrollment);
  const storage = useAsync(storageStatus, []).value;
  const [result, setResult] = useState<ImportResult>();

  const keyPrint = useAsync(async () => {
    const keys = await devicePublicKeys();
    return keys && (await deviceKeysFingerprint(keys));
  }, [enrollment]).value;

  const importText = async (text: string, name: string) => {
    const parsed = parseCodAbCsv(text, name);
    if (!parsed.ok) {
      return setResult({
        ok: false,
        message: tr.tk(parsed.error.key, { line: parsed.error.line ?? '', column: parsed.error.column ?? '' }),
      });
    }
    if (isCoordinator(enrollment)) {
      const { publishGazetteer } = await import('../sync/deployment-settings.ts');
      await publishGazetteer(writer, parsed.gazetteer);
      void sync?.syncNow();
    } else {
      await saveLocalGazetteer(parsed.gazetteer);
      setGazetteer(parsed.gazetteer);
    }
    setResult({ ok: true, count: parsed.gazetteer.units.length, skipped: parsed.skipped });
  };

  const onFile = async (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      await importText(await file.text(), file.name);
    } catch {
      setResult({ ok: false, message: tr.t('err.gazetteer.read') });
    }
  };

  const loadSample = async () => {
    try {
      const res = await fetch(SAMPLE_URL);
      await importText(await res.text(), 'sample-gazetteer-syrian-coast.csv');
    } catch {
      setResult({ ok: false, message: tr.t('err.gazetteer.read') });
    }
  };

  return (
    <>
      <h1>{tr.t('settings.title')}</h1>
      <p>
        <a href={href('intro')}>{tr.t('intro.again')}</a>
      </p>
      <section class="form-section" aria-labelledby="storage-h">
        <h2 id="storage-h">{tr.t('settings.storage')}</h2>
        {storage?.usage !== undefined && storage.quota !== undefined ? (
          <>
            <meter min={0} max={storage.quota} value={storage.usage} aria-labelledby="storage-h" />
            <p>
              {tr.t('settings.storageUse', {
                used: formatBytes(tr, storage.usage),
                free: formatBytes(tr, Math.max(0, storage.quota - storage.usage)),
              })}
            </p>
          </>
        ) : (
          <p>{tr.t('settings.storageUnknown')}</p>
        )}
        {storage && <p class="hint">{tr.t(storage.persisted ? 'settings.persisted' : 'settings.notPersisted')}</p>}
        <PhotoSpace />
      </section>
      <section class="form-section" aria-labelledby="gazetteer-h">
        <h2 id="gazetteer-h">{tr.t('settings.gazetteer')}</h2>
        <p>
          {gazetteer
            ? tr.plural('settings.gazetteerLoaded', gazetteer.units.length, { name: gazetteer.name })
            : tr.t('settings.gazetteerNone')}
        </p>
        {canImport ? (
          <>
            <div class="field">
              <label for="gazetteer-file">{tr.t('settings.gazetteerFile')}</label>
              <input id="gazetteer-file" type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e)} />
            </div>
            <button type="button" class="secondary" onClick={() => void loadSample()}>
              {tr.t('action.loadSampleGazetteer')}
            </button>
          </>
        ) : (
          <p class="hint">{tr.t('settings.gazetteerFromBase')}</p>
        )}
        {result && (
          <div role="status">
            {result.ok ? (
              <>
                <p>{tr.plural('settings.gazetteerImported', result.count)}</p>
                {isCoordinator(enrollment) && <p>{tr.t('settings.gazetteerPublished')}</p>}
                {result.skipped.length > 0 && (
                  <>
                    <p>{tr.plural('settings.gazetteerSkipped', result.skipped.length)}</p>
                    <ul>
                      {result.skipped.slice(0, 50).map((s) => (
                        <li key={s.line}>
                          {tr.t('settings.gazetteerRow', { line: s.line, reason: tr.tk(s.reason, { column: s.column ?? '' }) })}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </>
            ) : (
              <p class="form-error">{result.message}</p>
            )}
          </div>
        )}
      </section>
      {isCoordinator(enrollment) && <BoundaryLayerPanel />}
      <section class="form-section" aria-labelledby="device-h">
        <h2 id="device-h">{tr.t('settings.device')}</h2>
        <p dir="ltr" class="mono">
          {writer.device}
        </p>
        <p>
          {enrollment
            ? tr.t('sync.enrolledAs', { origin: isolate(enrollment.origin), role: tr.t(`role.${enrollment.role}`) })
            : tr.t('sync.notEnrolled')}
        </p>
        {keyPrint && (
          <>
            <p>{tr.t('settings.deviceKey')}</p>
            <p class="mono" dir="ltr" data-testid="device-key">
              {keyPrint}
            </p>
            <p class="hint">{tr.t('settings.deviceKeyHint')}</p>
          </>
        )}
      </section>
      {enrollment && <KeyRenewalPanel />}
      <LockOptions />
    </>
  );
}
