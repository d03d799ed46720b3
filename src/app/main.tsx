/**
 * Start-up: load the language, register the service worker, and ask for the passcode (or for a new
 * one, the first time). Once the data key is in memory: open the database, make or read this
 * device's id, load the gazetteer and enrollment, ask for persistent storage, render, then start
 * sync. The app locks itself after the idle time set in Settings by reloading: the key, and every
 * report held in memory, go with the page.
 */
import { render } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { cryptoRandom } from '../domain/ids.ts';
import { distinctHeads } from '../domain/merge.ts';
import type { Gazetteer } from '../domain/gazetteer.ts';
import { applyAppearance, currentAppearance, setAppearance, type Appearance } from './appearance.ts';
import { deviceId } from './device.ts';
import { takeEnrollmentFragment } from './enrollment-fragment.ts';
import { holdInstallOffer } from './install-offer.ts';
import { loadEnrollment, type Enrollment } from './enrollment-store.ts';
import { loadAgainOnFailure } from './load-again.ts';
import { browserLockRecordStore } from './lock/lock-record-store.ts';
import { IDLE_MINUTES, LOCK_RECORD_KEY } from './lock/options.ts';
import type { StartAgain } from './lock/lock-record.ts';
import { loadPanic, wipeNow } from './panic-loader.ts';
import { DataKeyHolder } from './store/at-rest.ts';
import { LockScreen } from './ui/LockScreen.tsx';
import { closeKeyval, get, sealEntriesWith } from './store/keyval.ts';
import { DEFAULT_LANG, loadTranslator, type Lang, type Translator } from './i18n/i18n.ts';
import { useLiveQuery } from './live-query.ts';
import { registerServiceWorker, type UpdateHandle } from './pwa.ts';
import { href } from './router.ts';
import { loadLocalGazetteer } from './local-gazetteer.ts';
import { loadLang, saveLang } from './preferences.ts';
import { RasidDb } from './store/db.ts';
import { App } from './ui/App.tsx';
import { AppProviders } from './ui/AppProviders.tsx';
import type { WriterContext } from './store/write-op.ts';
import type { SyncService } from './sync/service.ts';
import './ui/styles.css';

/** The deployment's gazetteer, as the last sync brought it (a deployment op with fixed id `gazetteer`). */
async function deployedGazetteer(db: RasidDb): Promise<Gazetteer | null> {
  // Found by its name as text: the first load carries no schema library to make a SettingId with.
  const row = await db.settings.get({ id: 'gazetteer' });
  const value = distinctHeads(row?.state.fields['gazetteer'])[0]?.value as Gazetteer | undefined;
  return value && typeof value.name === 'string' && Array.isArray(value.units) ? value : null;
}

interface RootProps {
  writer: WriterContext;
  lock: () => void;
  dataKey: DataKeyHolder;
  tr: Translator;
  gazetteer?: Gazetteer;
  enrollment?: Enrollment;
  watermark: number;
  onUpdate: (cb: (u: UpdateHandle) => void) => void;
}

function Root(props: RootProps) {
  const { writer, dataKey } = props;
  const { db } = writer;
  const [tr, setTr] = useState(props.tr);
  // Catalogs load asynchronously: only the last one asked for is shown, so one that arrives late
  // (the desk's, loading as the device became a coordinator) never undoes a language just chosen.
  const wantedLang = useRef(props.tr.lang);
  const lastLoad = useRef(0);
  const [screensFailed, setScreensFailed] = useState(false);
  const loadCatalog = (lang: Lang, desk: boolean) => {
    const load = ++lastLoad.current;
    loadAgainOnFailure(() => loadTranslator(lang, { desk, screens: true })).then(
      (next) => {
        const shown = load === lastLoad.current;
        if (shown) {
          setTr(next);
          setScreensFailed(false);
        }
        // A mark lives only in this page's memory: it tells when a catalog arrived and whether it was
        // passed over, so a late one can be seen to have changed nothing.
        performance.mark(`catalog:${lang}${desk ? '+desk' : ''}`, { detail: { shown } });
      },
      (e: unknown) => {
        console.error(e);
        if (load === lastLoad.current) setScreensFailed(true);
      },
    );
  };
  const [localGazetteer, setGazetteer] = useState(props.gazetteer);
  const [enrollment, setEnrollment] = useState(props.enrollment);
  const [sync, setSync] = useState<SyncService>();
  const [update, setUpdate] = useState<UpdateHandle>();
  useState(() => props.onUpdate(setUpdate));
  const deployed = useLiveQuery(() => deployedGazetteer(db), [db]);
  const watermark = useLiveQuery(() => db.getMeta('watermark'), [db]);

  // Sync loads after the first render: the list never waits for it.
  useEffect(() => {
    if (!enrollment) return;
    let service: SyncService | undefined;
    let cancelled = false;
    void Promise.all([import('./sync/service.ts'), import('./sync/load-keys.ts')]).then(([{ startSync }, { loadOpKeys }]) => {
      if (cancelled) return;
      service = startSync({ writer, enrollment, db, loadKeys: () => loadOpKeys(dataKey, enrollment.device) });
      setSync(service);
    });
    return () => {
      cancelled = true;
      service?.stop();
    };
  }, [enrollment, writer, db, dataKey]);

  const [appearance, setAppearanceState] = useState(currentAppearance);
  const desk = enrollment?.role === 'coordinator';
  // Once the list is drawn, the other screens' messages (the screens wait for them, lazy.tsx); and a
  // device enrolled as coordinator since the app started gets the desk's now.
  useEffect(() => {
    if (desk || !tr.hasScreens) loadCatalog(wantedLang.current, desk);
  }, [desk, tr.hasScreens]);

  const setLang = useCallback(
    (l: Lang) => {
      wantedLang.current = l;
      loadCatalog(l, desk);
      void saveLang(l);
    },
    [desk],
  );
  // The desk now holds (or made) the deployment key: reports sealed to it that waited open now.
  const deploymentKeyChanged = useCallback(() => void sync?.keysChanged(), [sync]);
  const chooseAppearance = useCallback((a: Appearance) => {
    setAppearance(a);
    setAppearanceState(a);
  }, []);
  // Made once per update prompt: a new watermark or gazetteer then re-renders only the screens
  // that read it, not the whole app (AppProviders.tsx).
  const app = useMemo(() => <App update={update} />, [update]);
  return (
    <AppProviders
      tr={tr}
      setLang={setLang}
      screensFailed={screensFailed}
      writer={writer}
      lock={props.lock}
      dataKey={dataKey}
      gazetteer={deployed ?? localGazetteer}
      setGazetteer={setGazetteer}
      enrollment={enrollment}
      setEnrollment={setEnrollment}
      sync={sync}
      deploymentKeyChanged={deploymentKeyChanged}
      watermark={watermark ?? props.watermark}
      appearance={appearance}
      setAppearance={chooseAppearance}
    >
      {app}
    </AppProviders>
  );
}

/** Locking is leaving the page: the key and every report held in memory go with it. */
function lockNow(dataKey: DataKeyHolder): void {
  dataKey.clear();
  location.reload();
}

async function openApp(dataKey: DataKeyHolder, tr: Translator, onUpdate: RootProps['onUpdate']): Promise<void> {
  const db = new RasidDb('rasid', { dataKey });
  sealEntriesWith(dataKey);
  // Opening the database upgrades it, sealing what an earlier version kept in clear (db.ts); the
  // entries outside it follow, before anything reads them.
  if (await db.getMeta('entriesToSeal')) await import('./store/seal-entries.ts').then((m) => m.sealEntriesAsNow(db));
  const device = await deviceId();
  const [gazetteer, enrollment, watermark, lockRecord] = await Promise.all([
    loadLocalGazetteer(),
    loadEnrollment(device),
    db.getMeta('watermark'),
    browserLockRecordStore.read(),
  ]);
  const writer: WriterContext = { db, device, now: () => Date.now(), random: cryptoRandom };
  // Without the desk's messages the list still opens: Root asks for them again with the screens'.
  if (enrollment?.role === 'coordinator') {
    const lang = tr.lang;
    tr = await loadAgainOnFailure(() => loadTranslator(lang, { desk: true })).catch(() => tr);
  }
  const idleMinutes = (lockRecord as { idleMinutes?: number } | undefined)?.idleMinutes ?? IDLE_MINUTES[0];
  // Armed right after the list is drawn, not before: the list never waits for it.
  void import('./lock/idle.ts').then(({ lockWhenIdle }) =>
    lockWhenIdle(idleMinutes, () => lockNow(dataKey), {
      now: Date.now,
      target: window,
      doc: document,
      setInterval: (f, ms) => setInterval(f, ms),
      clearInterval: (h) => clearInterval(h as number),
    }),
  );
  render(
    <Root
      writer={writer}
      lock={() => lockNow(dataKey)}
      dataKey={dataKey}
      tr={tr}
      gazetteer={gazetteer}
      enrollment={enrollment}
      watermark={watermark ?? 0}
      onUpdate={onUpdate}
    />,
    document.getElementById('app')!,
  );
  // Asked once the list is drawn; the first load does not wait for the module that asks.
  void import('./storage-status.ts').then((m) => m.requestPersistence());
  // A photo whose keeping was cut off (the tab closed, the battery died) left chunks no photo names.
  void import('./photos/photo-rows.ts').then((m) => m.removeLoosePhotoChunks(db)).catch(() => undefined);
}

/**
 * After the wipe passcode: the phone is wiped in this page, then holds the record a first set-up
 * would make, under the passcode just typed, and opens as after any unlock: empty, with no new
 * passcode asked for, nothing to tell an onlooker that a wipe happened. The language and the name
 * and icon shown stay as they were, for the same reason. It opens on the list. Returns the new data key.
 */
async function startAgain(fresh: StartAgain, tr: Translator): Promise<Uint8Array> {
  const appearance = currentAppearance();
  const { wipeInPage } = await loadPanic();
  await wipeInPage(() => undefined, closeKeyval);
  await browserLockRecordStore.write(fresh.record);
  if (tr.lang !== DEFAULT_LANG) await saveLang(tr.lang);
  if (appearance !== 'rasid') setAppearance(appearance);
  // The empty list, whatever screen was locked: a report's address would say the report is gone.
  history.replaceState(null, '', href('list'));
  return fresh.key;
}

async function start() {
  // First of all, before anything waits: the enrollment code must not stay in the address.
  takeEnrollmentFragment();
  // Chromium makes its install offer once, early: held from the start for the introduction.
  holdInstallOffer();
  let tr = await loadLang().then((lang) => loadAgainOnFailure(() => loadTranslator(lang)));
  document.documentElement.lang = tr.lang;
  document.documentElement.dir = tr.dir;
  applyAppearance(tr);
  let pending: UpdateHandle | undefined;
  let listener: ((u: UpdateHandle) => void) | undefined;
  const onUpdate = (cb: (u: UpdateHandle) => void) => {
    listener = cb;
    if (pending) cb(pending);
  };
  // The app shell is cached for offline use before anything else: the lock needs no data to show.
  void registerServiceWorker((u) => (listener ? listener(u) : (pending = u)));
  const dataKey = new DataKeyHolder();
  const unlocked = (key: Uint8Array) =>
    dataKey.set(key).then(() => {
      key.fill(0);
      return openApp(dataKey, tr, onUpdate);
    });
  const hasPasscode = (await get(LOCK_RECORD_KEY)) !== undefined;
  const root = document.getElementById('app')!;
  // The first start (and the first after a wipe, as on a new phone) explains before it asks for a passcode.
  if (!hasPasscode) {
    tr = await loadAgainOnFailure(() => import('./first-start.tsx')).then(
      (m) => m.firstStart(tr, root),
      () => tr,
    );
  }
  render(
    <LockScreen
      tr={tr}
      store={browserLockRecordStore}
      mode={hasPasscode ? 'unlock' : 'setUp'}
      onUnlocked={(key) => void unlocked(key)}
      onWipe={(fresh) => (fresh ? startAgain(fresh, tr).then(unlocked) : wipeNow(() => undefined))}
    />,
    root,
  );
  void loadPanic().catch(() => undefined);
}

void start();
