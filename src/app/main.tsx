/**
 * Start-up: open the database, make or read this device's id, load the language, gazetteer and
 * enrollment, ask for persistent storage, render, then start sync and register the service worker.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { cryptoRandom } from '../domain/ids.ts';
import { distinctHeads } from '../domain/merge.ts';
import type { Gazetteer } from '../domain/gazetteer.ts';
import { deviceId } from './device.ts';
import { loadEnrollment, type Enrollment } from './enrollment-store.ts';
import { loadTranslator, type Lang, type Translator } from './i18n/i18n.ts';
import { useLiveQuery } from './live-query.ts';
import { registerServiceWorker, type UpdateHandle } from './pwa.ts';
import { loadGazetteer, loadLang, saveLang } from './settings.ts';
import { requestPersistence } from './storage-status.ts';
import { RasidDb } from './store/db.ts';
import { App } from './ui/App.tsx';
import type { WriterContext } from './store/write-op.ts';
import type { SyncService } from './sync/service.ts';
import './ui/styles.css';

/** The deployment's gazetteer, as the last sync brought it (a deployment op with fixed id `gazetteer`). */
async function deployedGazetteer(db: RasidDb): Promise<Gazetteer | null> {
  const row = await db.settings.get('gazetteer');
  const value = distinctHeads(row?.state.fields['gazetteer'])[0]?.value as Gazetteer | undefined;
  return value && typeof value.name === 'string' && Array.isArray(value.units) ? value : null;
}

interface RootProps {
  writer: WriterContext;
  tr: Translator;
  gazetteer?: Gazetteer;
  enrollment?: Enrollment;
  watermark: number;
  onUpdate: (cb: (u: UpdateHandle) => void) => void;
}

function Root(props: RootProps) {
  const { db } = props.writer;
  const [tr, setTr] = useState(props.tr);
  const [localGazetteer, setGazetteer] = useState(props.gazetteer);
  const [enrollment, setEnrollment] = useState(props.enrollment);
  const [sync, setSync] = useState<SyncService>();
  const [update, setUpdate] = useState<UpdateHandle>();
  useState(() => props.onUpdate(setUpdate));
  const deployed = useLiveQuery(() => deployedGazetteer(db), []);
  const watermark = useLiveQuery(() => db.getMeta('watermark'), []);

  // Sync loads after the first render: the list never waits for it.
  useEffect(() => {
    if (!enrollment) return;
    let service: SyncService | undefined;
    let cancelled = false;
    void import('./sync/service.ts').then(({ startSync }) => {
      if (cancelled) return;
      service = startSync({ writer: props.writer, enrollment, db });
      setSync(service);
    });
    return () => {
      cancelled = true;
      service?.stop();
    };
  }, [enrollment]);

  const services = {
    tr,
    setLang: (l: Lang) => {
      void loadTranslator(l).then(setTr);
      void saveLang(l);
    },
    writer: props.writer,
    gazetteer: deployed ?? localGazetteer,
    setGazetteer,
    watermark: watermark ?? props.watermark,
    enrollment,
    setEnrollment,
    sync,
  };
  return <App services={services} update={update} />;
}

async function start() {
  const db = new RasidDb();
  const device = await deviceId();
  const [tr, gazetteer, enrollment, watermark] = await Promise.all([loadLang().then(loadTranslator), loadGazetteer(), loadEnrollment(device), db.getMeta('watermark')]);
  const writer: WriterContext = { db, device, now: () => Date.now(), random: cryptoRandom };
  let pending: UpdateHandle | undefined;
  let listener: ((u: UpdateHandle) => void) | undefined;
  render(
    <Root
      writer={writer}
      tr={tr}
      gazetteer={gazetteer}
      enrollment={enrollment}
      watermark={watermark ?? 0}
      onUpdate={(cb) => {
        listener = cb;
        if (pending) cb(pending);
      }}
    />,
    document.getElementById('app')!,
  );
  void requestPersistence();
  void registerServiceWorker((u) => (listener ? listener(u) : (pending = u)));
}

void start();
