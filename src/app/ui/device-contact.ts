/**
 * When the base last heard from a device, as the Devices screen says it: the date of its last
 * request, and the date its latest change reached the base (itself, or relayed by a desk). Dates
 * only: the base keeps no time of either.
 */
import type { EnrolledDevice } from '../../domain/protocol.ts';
import type { Translator } from '../i18n/i18n.ts';

export function lastHeard(tr: Translator, d: EnrolledDevice): string {
  return [
    d.lastContactDate ? tr.t('devices.lastContact', { date: tr.date(d.lastContactDate) }) : tr.t('devices.noContact'),
    d.lastOpDate ? tr.t('devices.lastOp', { date: tr.date(d.lastOpDate) }) : tr.t('devices.noOp'),
  ].join(' · ');
}
