/** The app shell: header with navigation, the language control and the panic wipe on every screen, the update prompt, and the routes. */
import { useEffect, useState } from 'preact/hooks';
import { appName, applyAppearance } from '../appearance.ts';
import { settledAllDrafts } from '../store/drafts.ts';
import type { UpdateHandle } from '../pwa.ts';
import { href, onLinkClick, type Route, useRoute } from '../router.ts';
import { isCoordinator, useAppearance, useEnrollment, useLanguage, useTr, useWriter } from './context.ts';
import { lazyScreen } from './lazy.tsx';
import { LanguageSelect } from './LanguageSelect.tsx';
import { PanicButton } from './PanicButton.tsx';
import { ReportList } from './ReportList.tsx';

const ViewReport = lazyScreen(() => import('./ViewReport.tsx').then((m) => m.ViewReport));
const NewReport = lazyScreen(() => import('./NewReport.tsx').then((m) => m.NewReport));
const EditReport = lazyScreen(() => import('./EditReport.tsx').then((m) => m.EditReport));
const Settings = lazyScreen(() => import('./Settings.tsx').then((m) => m.Settings));
const IntroAgain = lazyScreen(() => import('./Intro.tsx').then((m) => m.IntroAgain));
const SyncScreen = lazyScreen(() => import('./SyncScreen.tsx').then((m) => m.SyncScreen));
const Enroll = lazyScreen(() => import('./Enroll.tsx').then((m) => m.Enroll));
const Devices = lazyScreen(() => import('./Devices.tsx').then((m) => m.Devices));
const ConflictQueue = lazyScreen(() => import('./ConflictQueue.tsx').then((m) => m.ConflictQueue));
const Quarantine = lazyScreen(() => import('./Quarantine.tsx').then((m) => m.Quarantine));
const DeskList = lazyScreen(() => import('./desk/DeskList.tsx').then((m) => m.DeskList));
const DeskMap = lazyScreen(() => import('./desk/DeskMap.tsx').then((m) => m.DeskMap));
const DeskCharts = lazyScreen(() => import('./desk/DeskCharts.tsx').then((m) => m.DeskCharts));
const DeskExports = lazyScreen(() => import('./desk/DeskExports.tsx').then((m) => m.DeskExports));
// The sync status and "Sync now" load after the list: they need the sync code, which waits for it.
const SyncBar = lazyScreen(() => import('./SyncBar.tsx').then((m) => m.SyncBar), { quiet: true });

function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    addEventListener('online', on);
    addEventListener('offline', off);
    return () => {
      removeEventListener('online', on);
      removeEventListener('offline', off);
    };
  }, []);
  return online;
}

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'list':
      return <ReportList />;
    case 'new':
      return <NewReport key={route.draft ?? 'new'} draft={route.draft} />;
    case 'view':
      return <ViewReport id={route.id} />;
    case 'edit':
      return <EditReport key={route.id + (route.draft ?? '')} id={route.id} draft={route.draft} />;
    case 'settings':
      return <Settings />;
    case 'intro':
      return <IntroAgain />;
    case 'sync':
      return <SyncScreen />;
    case 'enroll':
      return <Enroll />;
    case 'devices':
      return <Devices />;
    case 'conflicts':
      return <ConflictQueue />;
    case 'quarantine':
      return <Quarantine />;
    case 'desk':
      return <DeskList />;
    case 'deskMap':
      return <DeskMap />;
    case 'deskCharts':
      return <DeskCharts />;
    case 'deskExports':
      return <DeskExports />;
    case 'noReport':
      return <NoReport />;
    case 'notFound':
      return <ReportList />;
  }
}

function NoReport() {
  return <p class="empty">{useTr().t('view.notFound')}</p>;
}

export function App({ update }: { update?: UpdateHandle }) {
  const { tr, setLang } = useLanguage();
  const { appearance } = useAppearance();
  const { enrollment } = useEnrollment();
  const { lock } = useWriter();
  const route = useRoute();
  // A report form on a phone: the header keeps one slim row (the way back to the list, lock and
  // panic), so the form and the keyboard have the screen.
  const formOpen = route.name === 'new' || route.name === 'edit';
  const online = useOnline();
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => {
    document.documentElement.lang = tr.lang;
    document.documentElement.dir = tr.dir;
    applyAppearance(tr, document, appearance);
  }, [tr, appearance]);

  return (
    <>
      <header class={formOpen ? 'bar form-open' : 'bar'}>
        <a href={href('list')} class="brand" onClick={onLinkClick}>
          {appName(tr, appearance)}
        </a>
        <nav aria-label={tr.t('nav.main')} onClick={onLinkClick}>
          <a href={href('list')}>{tr.t('nav.reports')}</a>
          <a href={href('sync')}>{tr.t('nav.sync')}</a>
          {isCoordinator(enrollment) && (
            <>
              <a href={href('desk')}>{tr.t('nav.desk')}</a>
              <a href={href('conflicts')}>{tr.t('nav.conflicts')}</a>
              <a href={href('devices')}>{tr.t('nav.devices')}</a>
              <a href={href('quarantine')}>{tr.t('nav.quarantine')}</a>
            </>
          )}
          <a href={href('settings')}>{tr.t('nav.settings')}</a>
        </nav>
        <LanguageSelect tr={tr} onChange={setLang} />
        {lock && (
          <button type="button" class="secondary lock-now" onClick={lock}>
            {tr.t('lock.now')}
          </button>
        )}
        <PanicButton />
      </header>
      {!online && (
        <p class="offline" role="status">
          {tr.t('status.offline')}
        </p>
      )}
      {update && !dismissed && (
        <div class="update" role="status">
          <p>{tr.t('update.available')}</p>
          <button type="button" class="primary" onClick={() => void settledAllDrafts().then(() => update.apply())}>
            {tr.t('action.reloadToUpdate')}
          </button>
          <button type="button" class="secondary" onClick={() => setDismissed(true)}>
            {tr.t('action.later')}
          </button>
        </div>
      )}
      {enrollment && <SyncBar />}
      <main onClick={onLinkClick}>
        <Screen route={route} />
      </main>
    </>
  );
}
