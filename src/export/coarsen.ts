/**
 * Coarsening for partner exports: dates to a day or an ISO week, points to the centre of a grid
 * cell. A coarsened value is a function of the cell or week alone, never of the original, so two
 * reports in one cell cannot be told apart and the original cannot be worked back from the output.
 */

export const DATE_GRAINS = ['day', 'week'] as const;
export type DateGrain = (typeof DATE_GRAINS)[number];

const DAY_MS = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** The ISO 8601 week (`2025-W10`) of a date or timestamp; the week's year can differ from the date's. */
export function isoWeekOf(dateOrTime: string): string | null {
  const m = ISO_DAY.exec(dateOrTime);
  if (!m) return null;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (!Number.isFinite(day)) return null;
  // The Thursday of the date's week decides the week's year; week 1 holds that year's first Thursday.
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(day + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const ordinal = Math.round((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS);
  const week = Math.floor(ordinal / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * A date (`2025-03-08`) or timestamp (`2025-03-08T22:10:00.000Z`) at a day or a week. Timestamps are
 * in UTC, so a day is the UTC day: a few hours off Syria's, never a finer hint than a day.
 */
export function coarsenDate(value: string, grain: DateGrain): string | null {
  const m = ISO_DAY.exec(value);
  if (!m) return null;
  return grain === 'day' ? m[0] : weekOfDay(m[0]);
}

/** Weeks of days already seen: a file of 100,000 reports has a few hundred days, each in many rows. */
const weeks = new Map<string, string | null>();
/** Beyond a lifetime of days, a long-running process stops remembering more. */
const WEEKS_KEPT = 50_000;

function weekOfDay(day: string): string | null {
  let week = weeks.get(day);
  if (week === undefined) {
    week = isoWeekOf(day);
    if (weeks.size < WEEKS_KEPT) weeks.set(day, week);
  }
  return week;
}

/** Kilometres per degree of latitude (mean Earth radius 6,371 km). */
const KM_PER_DEGREE = 111.195;
/** About a metre: enough digits for a cell centre, and float noise never shows. */
const DECIMALS = 5;
const round = (x: number) => Math.round(x * 10 ** DECIMALS) / 10 ** DECIMALS;

export interface LatLon {
  lat: number;
  lon: number;
}

/**
 * The centre of the grid cell of about `km` by `km` that holds the point. Rows are bands of equal
 * latitude; within a band, columns are as wide in degrees as `km` is at the band's centre, so a cell
 * is close to square wherever it is. Snapping a centre again gives the same centre.
 */
export function snapToGrid(point: LatLon, km: number): LatLon {
  const lat = cellCentre(Math.min(Math.max(point.lat, -90), 90) + 90, km / KM_PER_DEGREE, 180) - 90;
  // Near a pole the band is narrower than a cell: one cell for the whole band.
  const lonStep = Math.min(km / (KM_PER_DEGREE * Math.cos((lat * Math.PI) / 180)), 360);
  const lon = cellCentre((((point.lon + 180) % 360) + 360) % 360, lonStep, 360) - 180;
  return { lat: round(lat), lon: round(lon) };
}

/** Centre of the cell of `step` holding `x` in [0, span]; the last cell may be cut short by `span`. */
function cellCentre(x: number, step: number, span: number): number {
  const cells = Math.ceil(span / step);
  const i = Math.min(Math.floor(x / step), cells - 1);
  return (i * step + Math.min((i + 1) * step, span)) / 2;
}
