/**
 * The coordinator's Devices screen: a one-time enrollment code for a new device, shown as a QR code
 * and as text, the enrolled devices, and revoking a lost one. Loaded on first use with its QR encoder.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useAsync } from './use-async.ts';
import { CODE_EXPIRY_MINUTES, type EnrolledDevice, type EnrollmentCodeResponse } from '../../domain/protocol.ts';
import type { Role } from '../../domain/roles.ts';
import { deviceKeysFingerprint } from '../../domain/crypto/fingerprint.ts';
import { codeRefusal, createEnrollmentCode, cutoffSince, heldForRelay, listDevices, revokeDevice } from '../sync/devices.ts';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { SyncError } from '../sync/transport.ts';
import { isCoordinator, useEnrollment, useTr, useWriter } from './context.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { QrCode } from './QrCode.tsx';
import { DeploymentKeyPanel } from './DeploymentKeyPanel.tsx';
import { VouchingPanel } from './VouchingPanel.tsx';
import { RenewalPanel } from './RenewalPanel.tsx';
import { lastHeard } from './device-contact.ts';
import { bindLabels, deviceName, labelKeyOf, labelSchema, setLabel, useDeviceLabels } from '../desk/device-labels.ts';

/** What the coordinator may choose for a code's life: a visit, the usual hour, or a day for a phone that enrolls later. */
const CODE_MINUTES = [15, 60, 1440] as const;

/** A label as typed, or the catalog key of why it cannot be one. */
function readLabel(text: string): { ok: true; label: string } | { ok: false; error: string } {
  const parsed = labelSchema.safeParse(text);
  return parsed.success ? { ok: true, label: parsed.data } : { ok: false, error: parsed.error.issues[0]?.message ?? 'err.label.invalid' };
}

/** A label's field, with the hint that turns into the error while what is typed cannot be one. */
function LabelField(p: { id: string; name: string; value: string; error?: string; onInput: (text: string) => void }) {
  const tr = useTr();
  return (
    <div class="field">
      <label for={p.id}>{p.name}</label>
      <input
        id={p.id}
        type="text"
        autocomplete="off"
        value={p.value}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={`${p.id}-hint`}
        onInput={(e) => p.onInput(e.currentTarget.value)}
      />
      <p id={`${p.id}-hint`} class={p.error ? 'field-error' : 'hint'}>
        {tr.tk(p.error ?? 'devices.label.hint')}
      </p>
    </div>
  );
}

/** A device's label, changed on this desk: a desk op, synced to the other coordinators only. */
function LabelForm({ device, label }: { device: EnrolledDevice; label: string }) {
  const tr = useTr();
  const { writer } = useWriter();
  const [text, setText] = useState(label);
  const [error, setFormError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const save = async () => {
    const read = readLabel(text);
    if (!read.ok) return setFormError(read.error);
    setFormError(undefined);
    try {
      await setLabel(writer, labelKeyOf(device), read.label, device.device);
      setSaved(true);
    } catch {
      setFormError('err.label.notSaved');
    }
  };
  return (
    <details class="device-label">
      <summary>{tr.t(label ? 'devices.label.change' : 'devices.label.give')}</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <LabelField
          id={`label-${device.device}`}
          name={tr.t('devices.label')}
          value={text}
          error={error}
          onInput={(typed) => {
            setText(typed);
            setSaved(false);
          }}
        />
        <button type="submit" class="secondary">
          {tr.t('devices.label.save')}
        </button>
        {saved && <p role="status">{tr.t('devices.label.saved')}</p>}
      </form>
    </details>
  );
}

export function Devices() {
  const tr = useTr();
  const { writer } = useWriter();
  const { sync, enrollment } = useEnrollment();
  const [code, setCode] = useState<EnrollmentCodeResponse>();
  const [codeMinutes, setCodeMinutes] = useState<number>(CODE_EXPIRY_MINUTES.usual);
  const [codeLabel, setCodeLabel] = useState('');
  const [codeLabelError, setCodeLabelError] = useState<string>();
  const [madeLabel, setMadeLabel] = useState('');
  const listed = useAsync(async () => (sync ? listDevices(sync.endpoint) : undefined), [sync]);
  const devices = listed.value;
  const labels = useDeviceLabels(writer.db);
  // A label given with a code goes on the device that used it as soon as this desk hears of it.
  useEffect(() => {
    if (devices) void bindLabels(writer, devices).catch(() => undefined);
  }, [devices, writer]);
  const [failed, setError] = useState<string>();
  const [revoking, setRevoking] = useState<string>();
  // Keys before monitors: a phone enrolled before the deployment has its root cannot check whom it talks to.
  const [keysReady, setKeysReady] = useState<boolean>();
  // A phone reported lost or stolen late: from when, and the cut-off that gives on this desk.
  const [lostSince, setLostSince] = useState('');
  const unsent =
    useAsync(async () => {
      const device = deviceIdSchema.safeParse(revoking);
      return device.success ? heldForRelay(writer.db, device.data) : 0;
    }, [revoking, writer.db]).value ?? 0;
  const cut = useAsync(async () => {
    const device = deviceIdSchema.safeParse(revoking);
    const since = Date.parse(lostSince);
    return device.success && Number.isFinite(since) ? cutoffSince(writer.db, device.data, since) : undefined;
  }, [revoking, lostSince, writer.db]).value;
  const dialog = useRef<HTMLDialogElement>(null);

  // Each device's key fingerprint, to read to the person holding it, whose Settings show the same.
  const prints =
    useAsync(async () => {
      const pairs = await Promise.all(
        (devices ?? []).map(async (d) =>
          d.keys?.agreement && d.keys.signing
            ? ([d.device, await deviceKeysFingerprint({ agreement: d.keys.agreement, signing: d.keys.signing })] as const)
            : undefined,
        ),
      );
      return new Map(pairs.filter((p) => p !== undefined));
    }, [devices]).value ?? new Map<string, string>();

  const errorCode = (e: unknown) => (e instanceof SyncError ? e.code : 'sync.err.network');
  const error = failed ?? (listed.error === undefined ? undefined : errorCode(listed.error));

  if (!isCoordinator(enrollment)) return <p class="empty">{tr.t('sync.err.forbidden')}</p>;

  const makeCode = async (role: Role) => {
    if (!sync) return;
    setError(undefined);
    const label = readLabel(codeLabel);
    setCodeLabelError(label.ok ? undefined : label.error);
    if (!label.ok) return;
    try {
      const made = await createEnrollmentCode(sync.endpoint, role, codeMinutes);
      // The label stays on this desk and in sealed desk ops: the request for the code never carries it.
      if (label.label && made.codeId) await setLabel(writer, made.codeId, label.label);
      setMadeLabel(made.codeId ? label.label : '');
      setCodeLabel('');
      setCode(made);
    } catch (e) {
      // The base refuses a monitor's code before the deployment's keys even when this screen did
      // not know yet that they are missing (its key panel still loading, or another desk's state).
      setError(codeRefusal(e));
    }
  };
  const confirmRevoke = async () => {
    if (!sync || !revoking) return;
    try {
      await revokeDevice(sync.endpoint, revoking, lostSince && cut ? cut.cutoff : undefined);
      listed.reload();
    } catch (e) {
      setError(errorCode(e));
    }
  };

  return (
    <>
      <h1>{tr.t('devices.title')}</h1>
      {/* The actions come first: the key panel's content arrives after a request to the base, and
          content growing above a button moves it from under a finger about to tap it. */}
      <div class="field">
        <label for="code-minutes">{tr.t('devices.codeMinutes')}</label>
        <select id="code-minutes" value={codeMinutes} onChange={(e) => setCodeMinutes(Number(e.currentTarget.value))}>
          {CODE_MINUTES.map((m) => (
            <option key={m} value={m}>
              {tr.t(`devices.codeMinutes.${m}`)}
            </option>
          ))}
        </select>
      </div>
      <LabelField id="code-label" name={tr.t('devices.codeLabel')} value={codeLabel} error={codeLabelError} onInput={setCodeLabel} />
      <div class="actions">
        <button
          type="button"
          class="primary"
          disabled={!sync || keysReady === false}
          aria-describedby={keysReady === false ? 'keys-first' : undefined}
          onClick={() => void makeCode('monitor')}
        >
          {tr.t('devices.newCode')}
        </button>
        <button type="button" class="secondary" disabled={!sync} onClick={() => void makeCode('coordinator')}>
          {tr.t('devices.newCoordinatorCode')}
        </button>
      </div>
      {keysReady === false && (
        <p id="keys-first" class="notice">
          <a href="#deployment-key-h">{tr.t('devices.keysFirst')}</a>
        </p>
      )}
      {error && (
        <p class="form-error" role="alert">
          {tr.tk(error)}
        </p>
      )}
      {code && (
        <section class="form-section qr" aria-labelledby="code-h">
          <h2 id="code-h">{tr.t('devices.codeFor', { role: tr.t(`role.${code.role}`), time: tr.dateTime(code.expiresAt) })}</h2>
          {madeLabel && (
            <p>
              {tr.t('devices.codeLabelled')} <bdi>{madeLabel}</bdi>
            </p>
          )}
          <QrCode text={code.link} label={tr.t('devices.qr')} />
          <p>
            {tr.t('devices.link')}:{' '}
            <span class="link-text" dir="ltr" data-testid="enrollment-link">
              {code.link}
            </span>
          </p>
        </section>
      )}
      <DeploymentKeyPanel onReady={setKeysReady} />
      <VouchingPanel />
      <RenewalPanel />
      <section class="form-section" aria-labelledby="devices-h">
        <h2 id="devices-h">{tr.t('devices.list')}</h2>
        {!devices && !error && <p>{tr.t('devices.loading')}</p>}
        {devices?.length === 0 && <p class="empty">{tr.t('devices.none')}</p>}
        <ul class="plain" aria-labelledby="devices-h">
          {devices?.map((d) => (
            <li key={d.device}>
              {labels.byDevice.get(d.device) && (
                <strong class="device-name">
                  <bdi>{labels.byDevice.get(d.device)}</bdi>{' '}
                </strong>
              )}
              <span class="mono" dir="ltr">
                {d.device}
              </span>
              {d.device === writer.device && <strong> · {tr.t('devices.thisDevice')}</strong>}
              <p>{tr.plural('devices.item', d.watermark, { role: tr.t(`role.${d.role}`), time: tr.dateTime(d.enrolledAt) })}</p>
              <p>{lastHeard(tr, d)}</p>
              <LabelForm device={d} label={labels.byDevice.get(d.device) ?? ''} />
              {prints.get(d.device) && (
                <p>
                  {tr.t('devices.key')}{' '}
                  <span class="mono" dir="ltr" data-testid="device-key">
                    {prints.get(d.device)}
                  </span>
                </p>
              )}
              {d.revokedAt !== null ? (
                <p class="badge conflict">
                  {tr.t('devices.revoked', { time: tr.dateTime(d.revokedAt) })}
                  {d.cutoff !== undefined && ` ${tr.t('devices.revokedCutoff', { cutoff: d.cutoff })}`}
                </p>
              ) : (
                d.device !== writer.device && (
                  <button
                    type="button"
                    class="danger"
                    aria-label={tr.t('devices.revoke', { device: deviceName(labels, d.device) })}
                    onClick={() => {
                      setRevoking(d.device);
                      setLostSince('');
                      dialog.current?.showModal();
                    }}
                  >
                    {tr.t('devices.revoke', { device: deviceName(labels, d.device) })}
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      </section>
      <ConfirmDialog
        dialogRef={dialog}
        id="revoke"
        title={tr.t('devices.revokeTitle')}
        body={tr.t('devices.revokeBody')}
        confirmLabel={tr.t('devices.revoke', { device: deviceName(labels, revoking ?? '') })}
        onConfirm={() => void confirmRevoke()}
      >
        {devices?.find((d) => d.device === revoking)?.role === 'coordinator' && (
          <p class="notice" role="status">
            {tr.t('devices.revokeCoordinator')}
          </p>
        )}
        {unsent > 0 && (
          <p class="notice" role="status">
            {tr.plural('devices.unsent', unsent)}
          </p>
        )}
        <div class="field">
          <label for="lost-since">{tr.t('devices.lostSince')}</label>
          <input
            id="lost-since"
            type="datetime-local"
            value={lostSince}
            onInput={(e) => setLostSince(e.currentTarget.value)}
            aria-describedby="lost-since-hint"
          />
        </div>
        <p id="lost-since-hint" class="hint">
          {tr.t('devices.lostSinceHint')}
        </p>
        {lostSince && cut && (
          <p role="status">{cut.after === 0 ? tr.t('devices.cutoffNone') : tr.plural('devices.cutoffCount', cut.after)}</p>
        )}
      </ConfirmDialog>
    </>
  );
}
