/**
 * A year of invented reports at any scale (100,000 for the desk's benchmark): forty monitors on the
 * Syrian coast and three coordinators at the base, in the demo's places and words. Where the demo
 * scenario tells one fortnight's story, this one is made for volume: every report type with its
 * counts, dates known to the day or only to the week or month, points for some, no admin area for a
 * few, corrections by monitors, verification by coordinators, and now and then a monitor and a
 * coordinator correcting the same field apart (a conflict).
 *
 * A pure function of its input: the same seed and count give the same ops, byte for byte. Ops are
 * built the way the app builds them (editBody, settingBody, each device's clock and sequence) and
 * come out one day at a time, as each device's sync pushes of that day: a caller seals and stores
 * them batch by batch and never holds the year at once. Only the reports still to be edited are
 * kept between days.
 */
import type { Gazetteer } from '../../domain/gazetteer.ts';
import { encodeHlc, nodeIdOf, tick, type Hlc } from '../../domain/hlc.ts';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { newOpId, newReportId, type DeviceId, type ReportId, type TargetId } from '../../domain/ids.ts';
import type { Lang } from '../../domain/lang.ts';
import { editBody, mergeOps, settingBody } from '../../domain/merge.ts';
import { OP_FORMAT_VERSION, type OpKind } from '../../domain/op/header.ts';
import type { Op, OpBody } from '../../domain/op/op.ts';
import { MAX_BATCH } from '../../domain/op/sync.ts';
import type { FieldName, ReportType } from '../../domain/report.ts';
import { GAZETTEER_FIELD, GAZETTEER_ID, rosterField, ROSTER_ID } from '../../domain/roster.ts';
import type { PublicKeyTexts } from './demo-keys.ts';
import { Dice } from './dice.ts';
import { accessCutNarrative, damageNarrative, displacementNarrative, followUp, sourceDetail } from './narratives.ts';
import { BASE_PCODE, CITY_PCODES, demoPlaces, EVENT_WEIGHTS, QUARTERS, type DemoPlace } from './places.ts';
import type { DemoDevice } from './scenario.ts';

export interface InventedInput {
  seed: number;
  /** How many reports. */
  reports: number;
  /** ms since the Unix epoch: the year ends on this day, and nothing happens after it. */
  now: number;
  gazetteer: Gazetteer;
  /** Each device's public keys, which the roster names it with (demo-keys.ts). */
  keys?: ReadonlyMap<DeviceId, PublicKeyTexts>;
}

/** One device's push: its ops of one day, in its own order, as the base received them at `at`. */
export interface InventedBatch {
  device: DeviceId;
  role: DemoDevice['role'];
  at: number;
  ops: Op[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DAYS = 365;

/** Shares of the reports, which the tests check the output against. */
export const INVENTED_SHARES = {
  type: { damage: 0.4, displacement: 0.35, access_cut: 0.25 },
  /** Dated only to a week or a month. */
  approximateDate: 0.2,
  point: 0.5,
  noAdminArea: 0.04,
  /** Corrected later by the monitor who wrote it. */
  corrected: 0.08,
  /** Given a verification status by a coordinator. */
  verified: 0.45,
  /** Corrected in the same field by its monitor and by a coordinator, neither having seen the other's. */
  conflict: 0.003,
} as const;

const invented = (name: string): DeviceId => deviceIdSchema.parse(name);
const pad = (n: number) => String(n).padStart(2, '0');
const COORDINATORS = [1, 2, 3].map((n) => invented(`invented-coordinator-${n}`));
const SUB_DISTRICTS = EVENT_WEIGHTS.map(([pcode]) => pcode);

/** Forty monitors, each covering two or three sub-districts; a few write mostly in English. */
const MONITORS = Array.from({ length: 40 }, (_, i) => ({
  device: invented(`invented-monitor-${pad(i + 1)}`),
  area: [0, 3, 7].slice(0, 2 + (i % 2)).map((step) => SUB_DISTRICTS[(i + step) % SUB_DISTRICTS.length]!),
  english: i % 8 === 0 ? 0.6 : 0.1,
}));

/** The invented deployment's devices, coordinators first. */
export function inventedDevices(): DemoDevice[] {
  return [
    ...COORDINATORS.map((device) => ({ device, role: 'coordinator' as const })),
    ...MONITORS.map((m) => ({ device: m.device, role: 'monitor' as const })),
  ];
}

/** When the invented devices were enrolled: two days before the year's first report. */
export function inventedEnrolledAt(now: number): number {
  return firstDay(now) - 2 * DAY + 7 * HOUR;
}

/** The year ends the day before `now`'s, so that every op of it has reached the base by `now`. */
const firstDay = (now: number) => Math.floor(now / DAY) * DAY - DAYS * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Reports per day: a steady trickle, and three waves of violence when they come in by the hundred. */
function dayWeights(): number[] {
  const waves = [
    { day: 40, width: 6, height: 8 },
    { day: 150, width: 12, height: 4 },
    { day: 290, width: 4, height: 12 },
  ];
  return Array.from({ length: DAYS }, (_, d) => 1 + waves.reduce((s, w) => s + w.height * Math.exp(-(((d - w.day) / w.width) ** 2)), 0));
}

type Content = Record<string, unknown> & { type: ReportType };

/** Something a device does on a day; `body` sees the report as that device saw it then. */
interface Action {
  at: number;
  device: DeviceId;
  target: TargetId;
  kind: OpKind;
  body(seen: Op[], hlc: string): OpBody;
}

/** A report with edits still to come: its ops so far, each with the day it reached the base. */
interface Pending {
  ops: { op: Op; day: number }[];
  lastDay: number;
}

export function* inventedReports({ seed, reports: total, now, gazetteer, keys }: InventedInput): Generator<InventedBatch> {
  const dice = new Dice(seed);
  const places = demoPlaces(gazetteer);
  const place = (pcode: string) => places.get(pcode)!;
  const day0 = firstDay(now);
  const enrolledAt = inventedEnrolledAt(now);
  const coordinators = new Set<DeviceId>(COORDINATORS);
  const isCoordinator = (d: DeviceId) => coordinators.has(d);
  const roleOf = (d: DeviceId) => (isCoordinator(d) ? 'coordinator' : 'monitor');

  const clocks = new Map<DeviceId, Hlc>();
  const seqs = new Map<DeviceId, number>();
  const write = (a: Action, seen: Op[]): Op => {
    const clock = tick(clocks.get(a.device) ?? { wall: 0, counter: 0, node: nodeIdOf(a.device) }, a.at);
    clocks.set(a.device, clock);
    const deviceSeq = (seqs.get(a.device) ?? 0) + 1;
    seqs.set(a.device, deviceSeq);
    return {
      v: OP_FORMAT_VERSION,
      id: newOpId(clock.wall, dice.bytes),
      kind: a.kind,
      reportId: a.target,
      device: a.device,
      deviceSeq,
      body: a.body(seen, encodeHlc(clock)),
    };
  };
  /** One push per device with ops that day, late in the evening, in no more than MAX_BATCH ops each. */
  const pushes = (ops: Op[], at: (device: DeviceId) => number): InventedBatch[] => {
    const byDevice = new Map<DeviceId, Op[]>();
    for (const op of ops) {
      const own = byDevice.get(op.device) ?? [];
      own.push(op);
      byDevice.set(op.device, own);
    }
    const batches: InventedBatch[] = [];
    for (const [device, own] of [...byDevice].sort((x, y) => at(x[0]) - at(y[0]) || (x[0] < y[0] ? -1 : 1)))
      for (let i = 0; i < own.length; i += MAX_BATCH)
        batches.push({ device, role: roleOf(device), at: at(device), ops: own.slice(i, i + MAX_BATCH) });
    return batches;
  };

  // ----- the deployment's settings, before any report: the roster with every device's keys, the gazetteer -----
  const setup = enrolledAt + HOUR;
  const entry = (d: DemoDevice) => {
    const own = keys?.get(d.device);
    return own ? { ...d, keys: { agreement: own.agreement, signing: own.signing } } : d;
  };
  const roster = Object.fromEntries(inventedDevices().map((d) => [rosterField(d.device), entry(d)]));
  const settings: Action[] = [
    {
      at: setup,
      device: COORDINATORS[0]!,
      target: ROSTER_ID,
      kind: 'deployment',
      body: (s, hlc) => settingBody(mergeOps(ROSTER_ID, s), roster, hlc),
    },
    {
      at: setup + 5 * MINUTE,
      device: COORDINATORS[0]!,
      target: GAZETTEER_ID,
      kind: 'deployment',
      body: (s, hlc) => settingBody(mergeOps(GAZETTEER_ID, s), { [GAZETTEER_FIELD]: gazetteer }, hlc),
    },
  ];
  yield* pushes(
    settings.map((a) => write(a, [])),
    () => setup + HOUR,
  );

  // ----- the fields of a new report -----
  const monitorOf = (pcode: string) => dice.pick(MONITORS.filter((m) => m.area.includes(pcode)));

  function commonFields(p: DemoPlace, lang: Lang, eventAt: number): Record<string, unknown> {
    const day = isoDay(eventAt);
    const roughly = dice.chance(INVENTED_SHARES.approximateDate);
    let eventDate: Record<string, string>;
    if (roughly && dice.chance(0.5)) {
      // "Some time that week": dated to its Monday.
      const monday = eventAt - ((new Date(eventAt).getUTCDay() + 6) % 7) * DAY;
      eventDate = { precision: 'approximate', date: isoDay(Math.max(monday, day0)) };
    } else if (roughly) {
      eventDate = { precision: 'approximate', date: `${day.slice(0, 8)}01` };
    } else if (dice.chance(0.08)) {
      eventDate = { precision: 'range', date: isoDay(eventAt - DAY), end: day };
    } else {
      eventDate = { precision: 'exact', date: day };
    }
    const sourceKind = dice.weighted([
      ['eyewitness', 45],
      ['victim', 25],
      ['secondary', 20],
      ['open_source', 10],
    ] as const);
    const fields: Record<string, unknown> = {
      eventDate,
      placeName: `${p[lang]} - ${dice.pick(QUARTERS[lang])}`,
      sourceKind,
      sourceDetail: sourceDetail(dice.pick, lang, sourceKind),
      confidence: dice.weighted([
        ['high', 35],
        ['medium', 45],
        ['low', 20],
      ] as const),
    };
    // A monitor who typed the place's name without choosing it from the gazetteer: no admin area.
    if (!dice.chance(INVENTED_SHARES.noAdminArea)) fields.admin = p.admin;
    if (dice.chance(INVENTED_SHARES.point)) {
      const exact = dice.chance(0.4);
      fields.point = {
        lat: round6(p.lat + (dice.float() - 0.5) * 0.024),
        lon: round6(p.lon + (dice.float() - 0.5) * 0.03),
        ...(exact && { accuracy: dice.int(4, 40) }),
      };
      fields.locationPrecision = exact ? 'exact' : 'approximate';
    } else {
      fields.locationPrecision = 'area';
    }
    return fields;
  }

  function damage(p: DemoPlace, lang: Lang, eventAt: number): Content {
    const structureKind = dice.weighted([
      ['home', 80],
      ['shop', 12],
      ['school', 3],
      ['worship', 2],
      ['clinic', 3],
    ] as const);
    const burned = dice.chance(0.6);
    const looted = burned ? dice.chance(0.8) : true;
    const structures = dice.chance(0.06) ? undefined : structureKind === 'home' ? dice.skewed(1, 40) : dice.int(1, 3);
    const content: Content = {
      type: 'damage',
      ...commonFields(p, lang, eventAt),
      structureKind,
      damageLevel: dice.weighted([
        ['destroyed', burned ? 50 : 5],
        ['severe', 30],
        ['moderate', 15],
        ['possible', burned ? 5 : 25],
      ] as const),
      damageCause: burned ? 'burning' : 'looting',
      looted,
      narrative: damageNarrative(dice.pick, lang, { place: p[lang], structureKind, structures, looted, burned, at: eventAt }),
    };
    if (structures !== undefined) content.structures = structures;
    return content;
  }

  function displacement(p: DemoPlace, lang: Lang, eventAt: number): Content {
    const shelter = dice.weighted([
      ['military_base', 15],
      ['host_family', 35],
      ['public_building', 15],
      ['open_air', 15],
      ['collective_centre', 20],
    ] as const);
    let destination: { name: string; admin: unknown };
    if (shelter === 'military_base') {
      destination = { name: lang === 'ar' ? 'محيط قاعدة حميميم' : 'around Hmeimim base', admin: place(BASE_PCODE).admin };
    } else if (shelter === 'open_air') {
      destination = { name: lang === 'ar' ? `البساتين المحيطة ب${p.ar}` : `orchards outside ${p.en}`, admin: p.admin };
    } else {
      const town = place(
        dice.pick(shelter === 'host_family' ? [...CITY_PCODES, 'SY060200', 'SY100200'].filter((c) => c !== p.pcode) : [...CITY_PCODES]),
      );
      destination = { name: town[lang], admin: town.admin };
    }
    const households = dice.chance(0.1) ? undefined : dice.skewed(1, 120);
    const individuals = dice.chance(0.1) ? undefined : (households ?? dice.int(2, 20)) * dice.int(4, 7);
    const content: Content = {
      type: 'displacement',
      ...commonFields(p, lang, eventAt),
      origin: { name: p[lang], admin: p.admin },
      destination,
      shelter,
      displacementCause: dice.weighted([
        ['violence', 45],
        ['threats', 20],
        ['home_destroyed', 20],
        ['looting', 15],
      ] as const),
      ongoing: dice.chance(0.5),
      narrative: displacementNarrative(dice.pick, lang, {
        origin: p[lang],
        destination: destination.name,
        shelter,
        households,
        individuals,
      }),
    };
    if (households !== undefined) content.households = households;
    if (individuals !== undefined) content.individuals = individuals;
    return content;
  }

  function accessCut(p: DemoPlace, lang: Lang, writtenAt: number): Content {
    const service = dice.weighted([
      ['bread', 25],
      ['water', 25],
      ['electricity', 30],
      ['fuel', 10],
      ['health', 5],
      ['telecoms', 5],
    ] as const);
    const since = Math.max(day0, writtenAt - dice.skewed(3 * HOUR, 20 * DAY));
    const restored = dice.chance(0.25) && writtenAt - since > 2 * DAY;
    const partial = !restored && (service === 'electricity' || service === 'water') && dice.chance(0.25);
    const content: Content = {
      type: 'access_cut',
      ...commonFields(p, lang, since),
      service,
      serviceState: restored ? 'restored' : partial ? 'partial' : 'cut',
      period: restored ? { since: isoDay(since), until: isoDay(writtenAt - DAY) } : { since: isoDay(since) },
      cutCause: dice.weighted([
        ['siege', 35],
        ['deliberate_cut', 25],
        ['infrastructure_damage', 25],
        ['attack', 15],
      ] as const),
      narrative: accessCutNarrative(dice.pick, lang, { place: p[lang], service, ongoing: !restored, partial, since }),
    };
    if (dice.chance(0.7)) {
      const households = dice.skewed(20, 2000);
      content.households = households;
      if (dice.chance(0.8)) content.individuals = households * dice.int(4, 6);
    }
    return content;
  }

  /** What a monitor corrects once it learns more: a count, or a service that came back. */
  function correction(content: Content, writtenDay: number, day: number): Partial<Record<FieldName, unknown>> | undefined {
    const more = (n: unknown) => (typeof n === 'number' ? n + dice.int(1, 25) : undefined);
    if (content.type === 'access_cut') {
      if (content.serviceState === 'restored') return undefined;
      const since = (content.period as { since: string }).since;
      return { serviceState: 'restored', period: { since, until: isoDay(day0 + Math.max(writtenDay, day - 1) * DAY) } };
    }
    const field = content.type === 'damage' ? 'structures' : dice.pick(['households', 'individuals'] as const);
    const value = more(content[field]);
    return value === undefined ? undefined : { [field]: value };
  }

  // ----- the year, one day at a time -----
  const weights = dayWeights();
  const weightSum = weights.reduce((s, w) => s + w, 0);
  const pending = new Map<TargetId, Pending>();
  /** Edits to come, by the day they are made. */
  const later = new Map<number, Action[]>();
  const schedule = (day: number, action: Action, target: Pending) => {
    if (day >= DAYS) return false;
    const actions = later.get(day) ?? [];
    actions.push(action);
    later.set(day, actions);
    target.lastDay = Math.max(target.lastDay, day);
    return true;
  };
  /** The push time of each device on a day: late evening, a few minutes apart. */
  const syncAt = (day: number) => (device: DeviceId) => day0 + day * DAY + 22 * HOUR + (nodeIdOf(device).charCodeAt(0) % 60) * MINUTE;

  let made = 0;
  for (let day = 0; day < DAYS; day++) {
    const start = day0 + day * DAY;
    const end = start + 21 * HOUR;
    const wanted = Math.round((total * weights.slice(0, day + 1).reduce((s, w) => s + w, 0)) / weightSum) - made;
    const actions: Action[] = [...(later.get(day) ?? [])];
    later.delete(day);

    for (let i = 0; i < wanted; i++, made++) {
      const p = place(dice.weighted(EVENT_WEIGHTS));
      const monitor = monitorOf(p.pcode);
      const lang: Lang = dice.chance(monitor.english) ? 'en' : 'ar';
      const writtenAt = dice.between(start + 6 * HOUR, end);
      const eventAt = Math.max(day0, writtenAt - dice.skewed(20 * MINUTE, 4 * DAY));
      const type = dice.weighted(Object.entries(INVENTED_SHARES.type) as [ReportType, number][]);
      const content =
        type === 'damage'
          ? damage(p, lang, eventAt)
          : type === 'displacement'
            ? displacement(p, lang, eventAt)
            : accessCut(p, lang, writtenAt);
      if (dice.chance(0.3)) content.narrative = `${content.narrative as string} ${followUp(dice.pick, lang)}`;
      const id: ReportId = newReportId(writtenAt, dice.bytes);
      const report: Pending = { ops: [], lastDay: -1 };
      actions.push({
        at: writtenAt,
        device: monitor.device,
        target: id,
        kind: 'create',
        body: (_s, hlc) => ({ hlc, changes: { ...content }, supersedes: {} }),
      });

      const edit =
        (changes: Partial<Record<FieldName, unknown>>): Action['body'] =>
        (seen, hlc) =>
          editBody(mergeOps(id, seen, isCoordinator), changes, hlc);
      // A monitor and a coordinator correct the same count on the same day, each on what it had seen.
      const countField = type === 'damage' ? 'structures' : 'individuals';
      if (type !== 'access_cut' && typeof content[countField] === 'number' && dice.chance(INVENTED_SHARES.conflict)) {
        const on = day + dice.int(1, 5);
        const was = content[countField];
        const at = day0 + on * DAY + dice.between(8 * HOUR, 12 * HOUR);
        const coordinator = dice.pick(COORDINATORS);
        schedule(on, { at, device: monitor.device, target: id, kind: 'edit', body: edit({ [countField]: was + dice.int(2, 12) }) }, report);
        schedule(
          on,
          {
            at: at + dice.between(HOUR, 6 * HOUR),
            device: coordinator,
            target: id,
            kind: 'edit',
            body: edit({ [countField]: Math.max(0, was - dice.int(1, 5)) }),
          },
          report,
        );
      } else if (dice.chance(INVENTED_SHARES.corrected)) {
        const on = day + dice.int(0, 10);
        const at = on === day ? dice.between(writtenAt + MINUTE, end + 30 * MINUTE) : day0 + on * DAY + dice.between(6 * HOUR, 21 * HOUR);
        const changes = correction(content, day, on);
        if (changes) schedule(on, { at, device: monitor.device, target: id, kind: 'edit', body: edit(changes) }, report);
      }
      if (dice.chance(INVENTED_SHARES.verified)) {
        const on = day + dice.int(1, 7);
        const coordinator = dice.pick(COORDINATORS);
        const status = dice.weighted([
          ['verified', 70],
          ['disputed', 12],
          ['unverified', 18],
        ] as const);
        const changes = { verification: status };
        schedule(
          on,
          { at: day0 + on * DAY + dice.between(7 * HOUR, 20 * HOUR), device: coordinator, target: id, kind: 'edit', body: edit(changes) },
          report,
        );
      }
      if (report.lastDay >= day) pending.set(id, report);
    }

    // Each device writes in the order it acted; what it sees of a report is what reached the base before today, and its own ops.
    const written: Op[] = [];
    for (const a of actions
      .map((a, i) => ({ a, i }))
      .sort((x, y) => x.a.at - y.a.at || x.i - y.i)
      .map((x) => x.a)) {
      const report = pending.get(a.target);
      const seen = (report?.ops ?? []).filter((o) => o.day < day || o.op.device === a.device).map((o) => o.op);
      const op = write(a, seen);
      report?.ops.push({ op, day });
      written.push(op);
    }
    yield* pushes(written, syncAt(day));
    for (const [id, report] of pending) if (report.lastDay <= day) pending.delete(id);
  }
}
