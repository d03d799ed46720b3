/**
 * `/enroll#code=...`: enrolls this device with the base that served the page (the deployment's one
 * origin). The code is read from the fragment, which browsers never send. Start-up took it out of the
 * address before the lock screen (enrollment-fragment.ts), so it stays out of history; a fragment
 * that arrives later, in this page, is taken out here.
 */
import { useState } from 'preact/hooks';
import { codeFromHash, enroll, EnrollError, fingerprintFromHash } from '../sync/enrollment.ts';
import { enrollmentFragment } from '../enrollment-fragment.ts';
import { href, navigate } from '../router.ts';
import { useEnrollment, useGazetteer, useTr, useWriter } from './context.ts';
import { isolate } from './format.ts';
import { useSyncStatus } from './SyncBar.tsx';

export function Enroll() {
  const tr = useTr();
  const { writer, dataKey } = useWriter();
  const { enrollment, setEnrollment } = useEnrollment();
  const [{ code, fingerprint }] = useState(() => {
    const hash = location.hash || (enrollmentFragment() ?? '');
    if (location.hash) history.replaceState(null, '', location.pathname);
    return { code: codeFromHash(hash), fingerprint: fingerprintFromHash(hash) };
  });
  const [state, setState] = useState<{ working?: boolean; error?: string }>({});
  const origin = location.origin;

  if (enrollment) {
    return (
      <>
        <h1>{tr.t('enroll.title')}</h1>
        <p role="status">{tr.t('enroll.done', { role: tr.t(`role.${enrollment.role}`) })}</p>
        <GazetteerState />
        <p>
          <a href={href('list')}>{tr.t('nav.reports')}</a>
        </p>
      </>
    );
  }
  if (!code) {
    return (
      <>
        <h1>{tr.t('enroll.title')}</h1>
        <p class="form-error">{tr.t('enroll.noCode')}</p>
      </>
    );
  }
  const submit = async () => {
    setState({ working: true });
    try {
      const e = await enroll({ origin, code, fingerprint, device: writer.device, fetch: (u, i) => fetch(u, i), now: writer.now, dataKey });
      setEnrollment(e);
      navigate(href('enroll'));
    } catch (err) {
      setState({ error: err instanceof EnrollError ? err.key : 'enroll.err.refused' });
    }
  };
  return (
    <>
      <h1>{tr.t('enroll.title')}</h1>
      <p>{tr.t('enroll.intro', { origin: isolate(origin) })}</p>
      <button type="button" class="primary" disabled={state.working} onClick={() => void submit()}>
        {state.working ? tr.t('enroll.working') : tr.t('enroll.action')}
      </button>
      {state.error && (
        <p class="form-error" role="alert">
          {tr.tk(state.error)}
        </p>
      )}
    </>
  );
}

/**
 * Whether the gazetteer is here yet: the sync that starts with the enrollment brings it, and a
 * report written before it has no area a partner can place.
 */
function GazetteerState() {
  const tr = useTr();
  const { gazetteer } = useGazetteer();
  const { enrollment } = useEnrollment();
  const status = useSyncStatus();
  const text = gazetteer
    ? tr.plural('enroll.gazetteerHeld', gazetteer.units.length)
    : !status || status.running || status.finished === 0
      ? tr.t('enroll.gazetteerWaiting')
      : // A coordinator imports the deployment's gazetteer; a monitor waits for it.
        tr.t(enrollment?.role === 'coordinator' ? 'field.admin.noGazetteer' : 'enroll.gazetteerMissing');
  return <p role="status">{text}</p>;
}
