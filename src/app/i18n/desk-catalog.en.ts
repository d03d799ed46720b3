/**
 * The desk's messages in English, one chunk loaded only on a coordinator's device: a phone in the
 * field never downloads them with its first screen.
 */
import { chartsEn } from './charts.en.ts';
import { deskEn } from './desk.en.ts';
import { exportsEn } from './exports.en.ts';
import { historyEn } from './history.en.ts';
import { mapEn } from './map.en.ts';

export { thisDeviceEn } from './this-device.en.ts';

export const deskCatalogEn = { ...deskEn, ...historyEn, ...chartsEn, ...exportsEn, ...mapEn } as const;
