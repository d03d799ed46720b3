/** The desk's messages in Arabic, loaded only on a coordinator's device (see desk-catalog.en.ts). */
import { chartsAr } from './charts.ar.ts';
import { deskAr } from './desk.ar.ts';
import { exportsAr } from './exports.ar.ts';
import { historyAr } from './history.ar.ts';
import { mapAr } from './map.ar.ts';
import type { DeskCatalog } from './en.ts';

export { thisDeviceAr } from './this-device.ar.ts';

export const deskCatalogAr: DeskCatalog = { ...deskAr, ...historyAr, ...chartsAr, ...exportsAr, ...mapAr };
