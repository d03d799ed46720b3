/**
 * Start-up: open the database, make or read this device's id, load the language and gazetteer,
 * ask for persistent storage, render, and register the service worker.
 */
import { render } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { cryptoRandom } from '../domain/ids.ts';
import type { Gazetteer } from '../domain/gazetteer.ts';
import { deviceId } from './device.ts';
import { translator, type Lang } from './i18n/i18n.ts';
import { registerServiceWorker, type UpdateHandle } from './pwa.ts';
import { loadGazetteer, loadLang, saveLang } from './settings.ts';
import { requestPersistence } from './storage-status.ts';
import { RasidDb } from './store/db.ts';
import { App } from './ui/App.tsx';
import type { WriterContext } from './store/write-op.ts';
import './ui/styles.css';

function Root(props: { writer: WriterContext; lang: Lang; gazetteer?: Gazetteer; watermark: number; onUpdate: (cb: (u: UpdateHandle) => void) => void }) {
  const [lang, setLang] = useState(props.lang);
  const [gazetteer, setGazetteer] = useState(props.gazetteer);
  const [update, setUpdate] = useState<UpdateHandle>();
  useState(() => props.onUpdate(setUpdate));
  const tr = useMemo(() => translator(lang), [lang]);
  const services = {
    tr,
    setLang: (l: Lang) => {
      setLang(l);
      void saveLang(l);
    },
    writer: props.writer,
    gazetteer,
    setGazetteer,
    watermark: props.watermark,
  };
  return <App services={services} update={update} />;
}

async function start() {
  const db = new RasidDb();
  const [device, lang, gazetteer, watermark] = await Promise.all([deviceId(), loadLang(), loadGazetteer(), db.getMeta('watermark')]);
  const writer: WriterContext = { db, device, now: () => Date.now(), random: cryptoRandom };
  let pending: UpdateHandle | undefined;
  let listener: ((u: UpdateHandle) => void) | undefined;
  registerServiceWorker((u) => (listener ? listener(u) : (pending = u)));
  render(
    <Root
      writer={writer}
      lang={lang}
      gazetteer={gazetteer}
      watermark={watermark ?? 0}
      onUpdate={(cb) => {
        listener = cb;
        if (pending) cb(pending);
      }}
    />,
    document.getElementById('app')!,
  );
  void requestPersistence();
}

void start();
