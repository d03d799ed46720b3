/**
 * Start-up: open the database, make or read this device's id, load the language and gazetteer,
 * ask for persistent storage, render, and register the service worker.
 */
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { cryptoRandom } from '../domain/ids.ts';
import type { Gazetteer } from '../domain/gazetteer.ts';
import { deviceId } from './device.ts';
import { loadTranslator, type Lang, type Translator } from './i18n/i18n.ts';
import { registerServiceWorker, type UpdateHandle } from './pwa.ts';
import { loadGazetteer, loadLang, saveLang } from './settings.ts';
import { requestPersistence } from './storage-status.ts';
import { RasidDb } from './store/db.ts';
import { App } from './ui/App.tsx';
import type { WriterContext } from './store/write-op.ts';
import './ui/styles.css';

function Root(props: { writer: WriterContext; tr: Translator; gazetteer?: Gazetteer; watermark: number; onUpdate: (cb: (u: UpdateHandle) => void) => void }) {
  const [tr, setTr] = useState(props.tr);
  const [gazetteer, setGazetteer] = useState(props.gazetteer);
  const [update, setUpdate] = useState<UpdateHandle>();
  useState(() => props.onUpdate(setUpdate));
  const services = {
    tr,
    setLang: (l: Lang) => {
      void loadTranslator(l).then(setTr);
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
  const [device, tr, gazetteer, watermark] = await Promise.all([deviceId(), loadLang().then(loadTranslator), loadGazetteer(), db.getMeta('watermark')]);
  const writer: WriterContext = { db, device, now: () => Date.now(), random: cryptoRandom };
  let pending: UpdateHandle | undefined;
  let listener: ((u: UpdateHandle) => void) | undefined;
  render(
    <Root
      writer={writer}
      tr={tr}
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
  void registerServiceWorker((u) => (listener ? listener(u) : (pending = u)));
}

void start();
