/** The sync status under the header: a progress bar with counts while syncing, what the last sync did, a clock that is off, and "Sync now". */
import { useEffect, useState } from 'preact/hooks';
import { MAX_DRIFT_MS } from '../../domain/hlc.ts';
import type { Translator } from '../i18n/i18n.ts';
import type { SyncStatus } from '../sync/service.ts';
import { useEnrollment, useTr } from './context.ts';

export function useSyncStatus(): SyncStatus | undefined {
  const { sync } = useEnrollment();
  const [status, setStatus] = useState(sync?.status());
  useEffect(() => {
    if (!sync) return;
    setStatus(sync.status());
    return sync.subscribe(setStatus);
  }, [sync]);
  return status;
}

/** The phone's clock, told in words when it is more than five minutes off the base's. */
export function clockWarning(tr: Translator, status: SyncStatus | undefined): string | undefined {
  const outcome = status?.last?.outcome;
  if (!outcome) return undefined;
  const minutes = Math.round(Math.abs(outcome.skewMs) / 60_000);
  if (Math.abs(outcome.skewMs) > MAX_DRIFT_MS) return tr.t(outcome.skewMs > 0 ? 'sync.clockAhead' : 'sync.clockBehind', { minutes });
  if (outcome.clockOff) return tr.t('sync.clockFuture');
  return undefined;
}

export function SyncProgressBar({ status }: { status: SyncStatus }) {
  const tr = useTr();
  const p = status.progress ?? { sent: 0, toSend: 0, received: 0 };
  const label = tr.t('sync.progress', { sent: p.sent, toSend: p.toSend, received: p.received });
  return (
    <div class="sync-progress">
      <progress
        aria-label={tr.t('sync.progressLabel')}
        aria-valuetext={label}
        max={Math.max(1, p.toSend)}
        value={status.running ? p.sent : Math.max(1, p.toSend)}
      />
      <span>{label}</span>
    </div>
  );
}

export function SyncBar() {
  const tr = useTr();
  const { sync } = useEnrollment();
  const status = useSyncStatus();
  const warning = clockWarning(tr, status);
  return (
    // data-syncs counts finished syncs, so a test can tell "done" from "not started yet".
    <section
      class="sync-bar"
      aria-label={tr.t('sync.title')}
      aria-busy={status?.running ? 'true' : 'false'}
      data-syncs={status?.finished ?? 0}
    >
      {status?.running ? <SyncProgressBar status={status} /> : <SyncSummary status={status} />}
      {warning && (
        <p class="notice clock" role="alert">
          {warning}
        </p>
      )}
      <button type="button" class="secondary" disabled={!sync || status?.running} onClick={() => void sync?.syncNow()}>
        {tr.t('sync.now')}
      </button>
    </section>
  );
}

export function SyncSummary({ status }: { status: SyncStatus | undefined }) {
  const tr = useTr();
  const kept = status?.kept;
  const keptLine = kept && <p>{tr.t('sync.last', { time: tr.dateTime(kept.at), sent: kept.sent, received: kept.received })}</p>;
  const failed = status?.error && (!status.last || status.error.at >= status.last.at);
  // No network is no fault: the reports wait on the phone, and the scheduler syncs when it comes back.
  if (failed && status.error!.code === 'sync.err.network' && !navigator.onLine)
    return (
      <div role="status">
        <p>{tr.t('sync.offline')}</p>
        {keptLine}
      </div>
    );
  if (failed)
    return (
      <p class="form-error" role="status">
        {tr.tk(status.error!.code)}
      </p>
    );
  const last = status?.last;
  if (!last) return <div role="status">{keptLine ?? <p>{tr.t('sync.never')}</p>}</div>;
  const o = last.outcome;
  return (
    <div role="status">
      {keptLine}
      {o.rejected.length > 0 && <p class="form-error">{tr.plural('sync.rejectedCount', o.rejected.length)}</p>}
      {o.deferred > 0 && <p>{tr.plural('sync.deferred', o.deferred)}</p>}
      {o.reset && <p>{tr.t('sync.reset')}</p>}
    </div>
  );
}
