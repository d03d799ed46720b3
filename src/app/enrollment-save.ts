/**
 * Writing this device's enrollment (enrollment-store.ts reads it at start): kept apart, since the
 * first load only reads it.
 */
import { ENROLLMENT_ENTRY, isEnrollment, type Enrollment, type Pins } from './enrollment-store.ts';
import { getSealed, setSealed } from './store/keyval.ts';

/** Writes of the entry one after another: a pin marked while the token is rotated must not be lost. */
let writes: Promise<unknown> = Promise.resolve();
function queued(work: () => Promise<void>): Promise<void> {
  const next = writes.then(work, work);
  writes = next.catch(() => undefined);
  return next;
}

/** Saves the enrollment; pins marked on the one kept stay marked, whatever the copy in memory says. */
export function saveEnrollment(e: Enrollment): Promise<void> {
  return queued(async () => {
    const held = await getSealed(ENROLLMENT_ENTRY);
    const pins = { ...(isEnrollment(held) && held.device === e.device ? held.pins : undefined), ...e.pins };
    await setSealed(ENROLLMENT_ENTRY, { ...e, ...(Object.keys(pins).length > 0 && { pins }) });
  });
}

/** Marks a pin as held on the kept enrollment; before enrollment saved one, the enrollment marks it itself. */
export function markPinned(which: keyof Pins): Promise<void> {
  return queued(async () => {
    const held = await getSealed(ENROLLMENT_ENTRY);
    if (!isEnrollment(held) || held.pins?.[which]) return;
    await setSealed(ENROLLMENT_ENTRY, { ...held, pins: { ...held.pins, [which]: true } });
  });
}
