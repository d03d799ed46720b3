/**
 * Where the demo's events happen: sub-districts of the shipped sample gazetteer around Jableh and
 * Baniyas (and Al-Qardaha, inland), each with a point near its main village, and the places people
 * fled to. Names and p-codes come from the gazetteer passed in; only the points are written here,
 * approximate on purpose, since the sample file carries none.
 */
import { pathOf, type Gazetteer } from '../../domain/gazetteer.ts';
import type { Lang } from '../../domain/lang.ts';
import type { AdminAreas } from '../../domain/report.ts';

export interface DemoPlace {
  pcode: string;
  admin: AdminAreas;
  /** The village or town, as a monitor would write it. */
  ar: string;
  en: string;
  lat: number;
  lon: number;
}

/** Approximate points of the main village of each sub-district the demo uses. */
const POINTS: Readonly<Record<string, { lat: number; lon: number }>> = {
  SY060200: { lat: 35.3617, lon: 35.9266 }, // Jableh town
  SY060201: { lat: 35.3936, lon: 36.0458 }, // Ein Elsharqiyeh
  SY060202: { lat: 35.4376, lon: 36.0125 }, // Qteilbiyyeh
  SY060203: { lat: 35.3292, lon: 35.9833 }, // Ein Shaqaq
  SY060204: { lat: 35.295, lon: 36.0667 }, // Dalyeh
  SY060205: { lat: 35.3406, lon: 36.1086 }, // Beit Yashout
  SY060400: { lat: 35.4556, lon: 36.0575 }, // Al-Qardaha
  SY060000: { lat: 35.5317, lon: 35.7901 }, // Lattakia city
  SY100200: { lat: 35.1822, lon: 35.9486 }, // Baniyas town
  SY100201: { lat: 35.153, lon: 36.005 }, // Rawda
  SY100000: { lat: 34.889, lon: 35.8866 }, // Tartous city
};

/** Cities families fled to, staying with relatives or in collective centres. */
export const CITY_PCODES = ['SY060000', 'SY100000'] as const;
/** The sub-district of the air base near Jableh where some families sought shelter. */
export const BASE_PCODE = 'SY060200';

/** Where events happen, and how often: the Jableh countryside and Baniyas most. */
export const EVENT_WEIGHTS: readonly [string, number][] = [
  ['SY060201', 14],
  ['SY060202', 10],
  ['SY060203', 9],
  ['SY060204', 11],
  ['SY060205', 9],
  ['SY060200', 8],
  ['SY060400', 5],
  ['SY100200', 13],
  ['SY100201', 12],
];

/** Parts of a village or town, which a monitor adds to its name. */
export const QUARTERS: Record<Lang, readonly string[]> = {
  ar: ['الحارة الشرقية', 'الحارة الغربية', 'الحي الجنوبي', 'قرب الجامع', 'طريق المدرسة', 'الأطراف الشمالية', 'وسط البلدة'],
  en: ['eastern quarter', 'western quarter', 'southern quarter', 'near the mosque', 'school road', 'northern edge', 'centre'],
};

/**
 * The demo's places, read from the gazetteer. A sub-district that is a town's own centre
 * ("Jablah" within Jablah) is named by its district, as people say "Jableh", not "Jableh centre".
 * Throws when the gazetteer lacks a sub-district the demo needs: the demo is built on the sample file.
 */
export function demoPlaces(gazetteer: Gazetteer): Map<string, DemoPlace> {
  const places = new Map<string, DemoPlace>();
  for (const [pcode, point] of Object.entries(POINTS)) {
    const path = pathOf(gazetteer, pcode);
    if (path.length !== 3)
      throw new Error(`The gazetteer has no sub-district ${pcode}; the demo is built on the sample gazetteer of the Syrian coast.`);
    const [adm1, adm2, adm3] = path as [(typeof path)[0], (typeof path)[0], (typeof path)[0]];
    const ref = (u: typeof adm1) => ({ pcode: u.pcode, en: u.en, ar: u.ar });
    const townCentre = adm3.en === adm2.en;
    places.set(pcode, {
      pcode,
      admin: { adm1: ref(adm1), adm2: ref(adm2), adm3: ref(adm3) },
      ar: townCentre ? adm2.ar : adm3.ar,
      en: townCentre ? adm2.en : adm3.en,
      ...point,
    });
  }
  return places;
}
