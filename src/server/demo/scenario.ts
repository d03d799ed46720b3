/**
 * The demo scenario: a fortnight on the Syrian coast, ending `now`, as a deployment's phones would
 * have recorded it. Villages around Jableh and the suburbs of Baniyas see homes looted and burned,
 * families flee (some to the air base near Jableh), and bread, water and electricity are cut for three
 * days. Six monitors report, two coordinators review; along the way come what real data has: the
 * same event reported by two monitors, a monitor and a coordinator correcting one field apart (a
 * conflict), corrections, deletions, verification of every kind.
 *
 * A pure function of its input (seed, now, gazetteer): the same seed gives the same ops, byte for
 * byte, so a test can pin what it checks. Every op is built the way the app builds it (editBody,
 * deleteBody, settingBody, each device's own clock and sequence), and every report is invented.
 */
import type { Gazetteer } from '../../domain/gazetteer.ts';
import { encodeHlc, nodeIdOf, tick, type Hlc } from '../../domain/hlc.ts';
import { deviceIdSchema } from '../../domain/id-schemas.ts';
import { newOpId, newReportId, type DeviceId, type ReportId, type SettingId, type TargetId } from '../../domain/ids.ts';
import type { Lang } from '../../domain/lang.ts';
import { deleteBody, editBody, mergeOps, settingBody, type MergedState } from '../../domain/merge.ts';
import { OP_FORMAT_VERSION, type OpKind } from '../../domain/op/header.ts';
import type { Op, OpBody } from '../../domain/op/op.ts';
import type { FieldName, ReportType } from '../../domain/report.ts';
import type { Role } from '../../domain/roles.ts';
import { GAZETTEER_FIELD, GAZETTEER_ID, rosterField, ROSTER_ID } from '../../domain/roster.ts';
import { profileChanges, profileSettingId } from '../../export/desk-settings.ts';
import { partnerProfile } from '../../export/profile.ts';
import { newPseudonymKey } from '../../export/pseudonym.ts';
import {
  accessCutNarrative,
  damageNarrative,
  displacementNarrative,
  sourceDetail,
  type DamageFacts,
  type DisplacementFacts,
} from './narratives.ts';
import type { PublicKeyTexts } from './demo-keys.ts';
import { BASE_PCODE, CITY_PCODES, demoPlaces, EVENT_WEIGHTS, QUARTERS, type DemoPlace } from './places.ts';
import { Dice } from './dice.ts';

export interface DemoDevice {
  device: DeviceId;
  role: Role;
}

export interface DemoScenario {
  devices: DemoDevice[];
  /** Each device's ops in its own order: deviceSeq 1, 2, 3 ... */
  ops: Record<string, Op[]>;
  /** When each op reached the base (ms), by op id: phones sync when they find a connection. */
  receivedAt: Record<string, number>;
  /** When the devices were enrolled, before anything was recorded. */
  enrolledAt: number;
}

export interface ScenarioInput {
  seed: number;
  /** ms since the Unix epoch; nothing in the scenario happens after it. */
  now: number;
  /** The sample gazetteer of the Syrian coast: names and p-codes of every place. */
  gazetteer: Gazetteer;
  /** About how many reports (300 by default). */
  reports?: number;
  /** Each device's public keys, which the coordinator's roster names it with (demo-keys.ts). */
  keys?: ReadonlyMap<DeviceId, PublicKeyTexts>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const SCENARIO_DAYS = 14;

/** The name of the partner profile the demo sets up, as `npm run export -- --profile` takes it. */
export const DEMO_PROFILE = 'shelter-partner';
const demoDevice = (name: string): DeviceId => deviceIdSchema.parse(name);
export const DEMO_COORDINATORS = [demoDevice('demo-coordinator-1'), demoDevice('demo-coordinator-2')] as const;

/** Each monitor covers a few sub-districts and writes in English now and then (one mostly). */
const MONITORS: readonly { device: DeviceId; area: readonly string[]; english: number }[] = [
  { device: demoDevice('demo-jableh-monitor-1'), area: ['SY060201', 'SY060202', 'SY060200'], english: 0.15 },
  { device: demoDevice('demo-jableh-monitor-2'), area: ['SY060203', 'SY060204', 'SY060200'], english: 0.1 },
  { device: demoDevice('demo-jableh-monitor-3'), area: ['SY060205', 'SY060204', 'SY060201'], english: 0.2 },
  { device: demoDevice('demo-baniyas-monitor-1'), area: ['SY100200', 'SY100201'], english: 0.1 },
  { device: demoDevice('demo-baniyas-monitor-2'), area: ['SY100201', 'SY100200'], english: 0.65 },
  { device: demoDevice('demo-qardaha-monitor-1'), area: ['SY060400', 'SY060202'], english: 0.1 },
];

/** Reports per day of the fortnight, day 0 first: the violence peaks at once, displacement goes on. */
const DAMAGE_DAYS = [16, 22, 18, 12, 7, 5, 4, 3, 3, 2, 2, 2, 2, 2];
const DISPLACEMENT_DAYS = [10, 16, 15, 12, 9, 7, 6, 5, 5, 4, 4, 3, 3, 2];

/** Cuts of services: three days around Jableh and Baniyas, and one still going on. */
const CUTS: readonly { pcodes: readonly string[]; day: number; days?: number; services: readonly Service[]; weight: number }[] = [
  {
    pcodes: ['SY060201', 'SY060202', 'SY060203', 'SY060204', 'SY060205'],
    day: 1,
    days: 3,
    services: ['bread', 'water', 'electricity'],
    weight: 30,
  },
  { pcodes: ['SY100200', 'SY100201'], day: 2, days: 3, services: ['bread', 'water', 'electricity'], weight: 20 },
  { pcodes: ['SY060400', 'SY060200'], day: 1, days: 3, services: ['bread', 'electricity'], weight: 8 },
  { pcodes: ['SY100201', 'SY060205'], day: 10, services: ['electricity', 'water', 'fuel'], weight: 12 },
];
type Service = 'bread' | 'water' | 'electricity' | 'fuel';

type Content = Record<string, unknown> & { type: ReportType };

interface Tracked {
  id: ReportId;
  device: DeviceId;
  content: Content;
  createdAt: number;
  eventAt: number;
  ops: { op: Op; receivedAt: number }[];
}

interface Action {
  at: number;
  device: DeviceId;
  reportId: TargetId;
  kind: OpKind;
  /** The body, from the state this device saw at the time. */
  body(state: MergedState, hlc: string): OpBody;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The demo's devices, coordinators first: known before the scenario, so their keys can be made first. */
export function demoDevices(): DemoDevice[] {
  return [
    ...DEMO_COORDINATORS.map((device) => ({ device, role: 'coordinator' as const })),
    ...MONITORS.map((m) => ({ device: m.device, role: 'monitor' as const })),
  ];
}

export function demoScenario({ seed, now, gazetteer, reports: wanted = 300, keys }: ScenarioInput): DemoScenario {
  const dice = new Dice(seed);
  const places = demoPlaces(gazetteer);
  const place = (pcode: string) => places.get(pcode)!;
  const day0 = Math.floor(now / DAY) * DAY - (SCENARIO_DAYS - 1) * DAY;
  // Nothing is written in the last minutes, so every op is received by `now`.
  const end = now - 5 * MINUTE;
  const enrolledAt = day0 - 2 * DAY + 7 * HOUR;
  const setupAt = enrolledAt + HOUR;

  // ----- when each phone found a connection: every 1.5 to 10 hours, and all of them just now -----
  const syncs = new Map<DeviceId, number[]>();
  for (const m of MONITORS) {
    const times: number[] = [];
    for (let t = enrolledAt + dice.between(HOUR, 6 * HOUR); t < now; t += dice.between(1.5 * HOUR, 10 * HOUR)) times.push(t);
    times.push(now);
    syncs.set(m.device, times);
  }
  const syncedAt = (device: DeviceId, at: number) => syncs.get(device)!.find((t) => t >= at)!;

  const reports: Tracked[] = [];
  const monitorActions: Action[] = [];
  const coordinatorActions: Action[] = [];

  const monitorsOf = (pcode: string) => MONITORS.filter((m) => m.area.includes(pcode));
  const languageOf = (device: DeviceId): Lang => (dice.chance(MONITORS.find((m) => m.device === device)!.english) ? 'en' : 'ar');
  /** A time of day on day `d` when people are about, never after `end`. */
  const eventTime = (d: number) => {
    let start = day0 + d * DAY + 4 * HOUR;
    while (start > end - 2 * HOUR) start -= DAY;
    return Math.min(start + dice.between(0, 15 * HOUR), end - 2 * HOUR);
  };
  /** When a monitor wrote it down: mostly within hours, sometimes days later. */
  const writtenAfter = (at: number) => Math.min(at + dice.skewed(20 * MINUTE, 40 * HOUR), end - dice.between(0, 30 * MINUTE));

  function commonFields(p: DemoPlace, lang: Lang, eventAt: number, dates: 'any' | 'exact'): Record<string, unknown> {
    const day = isoDay(eventAt);
    const precision =
      dates === 'exact'
        ? 'exact'
        : dice.weighted([
            ['exact', 75],
            ['approximate', 17],
            ['range', 8],
          ] as const);
    const eventDate = precision === 'range' ? { precision, date: isoDay(eventAt - DAY), end: day } : { precision, date: day };
    const sourceKind = dice.weighted([
      ['eyewitness', 45],
      ['victim', 25],
      ['secondary', 20],
      ['open_source', 10],
    ] as const);
    const fields: Record<string, unknown> = {
      eventDate,
      placeName: `${p[lang]} - ${dice.pick(QUARTERS[lang])}`,
      admin: p.admin,
      sourceKind,
      sourceDetail: sourceDetail(dice.pick, lang, sourceKind),
      confidence: dice.weighted([
        ['high', 35],
        ['medium', 45],
        ['low', 20],
      ] as const),
    };
    if (dice.chance(0.72)) {
      // Where the event was, a short walk from the village centre: a monitor marks the street, not the village.
      const point: Record<string, number> = {
        lat: round6(p.lat + (dice.float() - 0.5) * 0.024),
        lon: round6(p.lon + (dice.float() - 0.5) * 0.03),
      };
      const exact = dice.chance(0.4);
      if (exact) point.accuracy = dice.int(4, 40);
      fields.point = point;
      fields.locationPrecision = exact ? 'exact' : 'approximate';
    } else {
      fields.locationPrecision = 'area';
    }
    return fields;
  }

  function damage(p: DemoPlace, lang: Lang, eventAt: number, like?: Content): Content {
    const structureKind =
      (like?.structureKind as DamageFacts['structureKind'] | undefined) ??
      dice.weighted([
        ['home', 82],
        ['shop', 12],
        ['school', 2],
        ['worship', 2],
        ['clinic', 2],
      ] as const);
    const burned = like ? like.damageCause === 'burning' : dice.chance(0.72);
    const looted = like ? like.looted === true : burned ? dice.chance(0.85) : true;
    // Unknown is not zero: now and then nobody could count.
    let structures: number | undefined;
    if (like) structures = typeof like.structures === 'number' ? Math.max(1, like.structures + dice.int(-2, 2)) : undefined;
    else structures = dice.chance(0.06) ? undefined : structureKind === 'home' ? dice.skewed(1, 30) : dice.int(1, 3);
    const damageLevel = burned
      ? dice.weighted([
          ['destroyed', 50],
          ['severe', 35],
          ['moderate', 15],
        ] as const)
      : dice.weighted([
          ['moderate', 50],
          ['possible', 30],
          ['severe', 20],
        ] as const);
    const content: Content = {
      type: 'damage',
      ...commonFields(p, lang, eventAt, 'any'),
      structureKind,
      damageLevel,
      damageCause: burned ? 'burning' : 'looting',
      looted,
      narrative: damageNarrative(dice.pick, lang, { place: p[lang], structureKind, structures, looted, burned, at: eventAt }),
    };
    if (structures !== undefined) content.structures = structures;
    return content;
  }

  function displacement(p: DemoPlace, lang: Lang, eventAt: number, like?: Content): Content {
    const shelter =
      (like?.shelter as DisplacementFacts['shelter'] | undefined) ??
      dice.weighted([
        ['military_base', 25],
        ['host_family', 32],
        ['public_building', 15],
        ['open_air', 16],
        ['collective_centre', 12],
      ] as const);
    let destination: { name: string; admin: unknown };
    if (shelter === 'military_base') {
      destination = { name: lang === 'ar' ? 'محيط قاعدة حميميم' : 'around Hmeimim base', admin: place(BASE_PCODE).admin };
    } else if (shelter === 'open_air') {
      destination = { name: lang === 'ar' ? `البساتين المحيطة ب${p.ar}` : `orchards outside ${p.en}`, admin: p.admin };
    } else {
      const towns = [...CITY_PCODES, 'SY060200', 'SY100200'].filter((c) => c !== p.pcode);
      const town = place(dice.pick(shelter === 'host_family' ? towns : [...CITY_PCODES]));
      destination = { name: town[lang], admin: town.admin };
    }
    const similar = (n: unknown) => (typeof n === 'number' ? Math.max(1, Math.round(n * (0.85 + dice.float() * 0.3))) : undefined);
    let households: number | undefined = like ? similar(like.households) : dice.skewed(2, 70);
    let individuals: number | undefined = like ? similar(like.individuals) : households! * dice.int(4, 7);
    // Some fresh reports lack one of the two counts: each draw of the dice is a new chance.
    if (!like) {
      const noHouseholds = dice.chance(0.1);
      const noIndividuals = !noHouseholds && dice.chance(0.1);
      if (noHouseholds) households = undefined;
      if (noIndividuals) individuals = undefined;
    }
    const content: Content = {
      type: 'displacement',
      ...commonFields(p, lang, eventAt, 'any'),
      origin: { name: p[lang], admin: p.admin },
      destination,
      shelter,
      displacementCause: dice.weighted([
        ['violence', 45],
        ['threats', 20],
        ['home_destroyed', 20],
        ['looting', 15],
      ] as const),
      ongoing: dice.chance(0.6),
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

  function addReport(device: DeviceId, content: Content, eventAt: number, createdAt: number): Tracked {
    const report: Tracked = { id: newReportId(createdAt, dice.bytes), device, content, createdAt, eventAt, ops: [] };
    reports.push(report);
    monitorActions.push({
      at: createdAt,
      device,
      reportId: report.id,
      kind: 'create',
      body: (_state, hlc) => ({ hlc, changes: { ...content }, supersedes: {} }),
    });
    return report;
  }

  const monitorEdit = (report: Tracked, at: number, changes: Partial<Record<FieldName, unknown>>) =>
    monitorActions.push({
      at,
      device: report.device,
      reportId: report.id,
      kind: 'edit',
      body: (state, hlc) => editBody(state, changes, hlc),
    });

  // ----- damage and displacement, by day and place -----
  const base = Math.max(30, wanted - 10);
  const counts = { damage: Math.round(base * 0.43), displacement: Math.round(base * 0.32) };
  const cutCount = base - counts.damage - counts.displacement;
  for (const [type, days] of [
    ['damage', DAMAGE_DAYS],
    ['displacement', DISPLACEMENT_DAYS],
  ] as const) {
    for (let i = 0; i < counts[type]; i++) {
      const d = dice.weighted(days.map((w, day) => [day, w] as const));
      const p = place(dice.weighted(EVENT_WEIGHTS));
      const device = dice.pick(monitorsOf(p.pcode)).device;
      const lang = languageOf(device);
      const at = eventTime(d);
      addReport(device, type === 'damage' ? damage(p, lang, at) : displacement(p, lang, at), at, writtenAfter(at));
    }
  }
  const eventReports = [...reports];

  // ----- access cuts: written while a service is cut, updated by the same monitor when it is back -----
  for (let i = 0; i < cutCount; i++) {
    const cut = dice.weighted(CUTS.map((c) => [c, c.weight] as const));
    const p = place(dice.pick(cut.pcodes));
    const device = dice.pick(monitorsOf(p.pcode)).device;
    const lang = languageOf(device);
    const service = dice.pick(cut.services);
    const since = day0 + cut.day * DAY + 6 * HOUR;
    const back = cut.days === undefined ? undefined : since + cut.days * DAY;
    if (since + 3 * HOUR > end) continue;
    const createdAt = Math.min(since + dice.between(3 * HOUR, (back ?? end) - since + 3 * DAY), end - dice.between(0, 30 * MINUTE));
    const restored = back !== undefined && createdAt > back;
    const partial = !restored && (service === 'electricity' || service === 'water') && dice.chance(0.25);
    const households = dice.chance(0.7) ? dice.skewed(40, 600) : undefined;
    const period = restored ? { since: isoDay(since), until: isoDay(back) } : { since: isoDay(since) };
    const content: Content = {
      type: 'access_cut',
      ...commonFields(p, lang, since, 'exact'),
      service,
      serviceState: restored ? 'restored' : partial ? 'partial' : 'cut',
      period,
      cutCause: dice.weighted([
        ['siege', 35],
        ['deliberate_cut', 25],
        ['infrastructure_damage', 25],
        ['attack', 15],
      ] as const),
      narrative: accessCutNarrative(dice.pick, lang, { place: p[lang], service, ongoing: !restored, partial, since }),
    };
    if (households !== undefined) {
      content.households = households;
      if (dice.chance(0.8)) content.individuals = households * dice.int(4, 6);
    }
    const report = addReport(device, content, since, createdAt);
    const heard = back === undefined ? undefined : back + dice.between(2 * HOUR, 30 * HOUR);
    if (!restored && back !== undefined && heard! <= end && dice.chance(0.85)) {
      monitorEdit(report, heard!, { serviceState: 'restored', period: { since: isoDay(since), until: isoDay(back) } });
    }
  }

  // ----- the same event reported by two monitors -----
  const shared = eventReports.filter(
    (r) => monitorsOf((r.content.admin as { adm3: { pcode: string } }).adm3.pcode).length > 1 && r.createdAt < end - 4 * DAY,
  );
  const duplicates: [Tracked, Tracked][] = [];
  for (const original of shared) {
    if (duplicates.length >= 8) break;
    if (!dice.chance(0.4)) continue;
    const pcode = (original.content.admin as { adm3: { pcode: string } }).adm3.pcode;
    const other = dice.pick(monitorsOf(pcode).filter((m) => m.device !== original.device)).device;
    const lang = languageOf(other);
    const at = Math.min(original.eventAt + dice.between(-8 * HOUR, 8 * HOUR), end - 2 * HOUR);
    const like = original.content;
    const content = like.type === 'damage' ? damage(place(pcode), lang, at, like) : displacement(place(pcode), lang, at, like);
    duplicates.push([original, addReport(other, content, at, writtenAfter(at))]);
  }

  // ----- a report saved twice by mistake, and its copy deleted minutes later, before the phone synced -----
  const twice = eventReports.find(
    (r) => r.content.type === 'damage' && r.createdAt < end - DAY && !duplicates.some((pair) => pair.includes(r)),
  )!;
  const copy = addReport(twice.device, { ...twice.content }, twice.eventAt, twice.createdAt + dice.between(2 * MINUTE, 6 * MINUTE));
  monitorActions.push({
    at: copy.createdAt + dice.between(3 * MINUTE, 9 * MINUTE),
    device: copy.device,
    reportId: copy.id,
    kind: 'edit',
    body: (s, hlc) => deleteBody(s, hlc),
  });

  // ----- a practice report from the day of training, which a coordinator deletes -----
  const trainingAt = enrolledAt + 2 * HOUR;
  const jableh = place('SY060200');
  const practice = addReport(
    MONITORS[0]!.device,
    {
      type: 'damage',
      eventDate: { precision: 'exact', date: isoDay(trainingAt) },
      placeName: `${jableh.ar} - مركز التدريب`,
      admin: jableh.admin,
      locationPrecision: 'area',
      sourceKind: 'secondary',
      narrative: 'تقرير تجريبي أثناء التدريب على التطبيق، لا يتعلق بأي حادثة. يرجى حذفه.',
      structureKind: 'other',
      structures: 1,
      damageLevel: 'possible',
    },
    trainingAt,
    trainingAt,
  );

  // ----- a monitor and a coordinator correct the same field apart: each edit supersedes what its author saw -----
  const taken = new Set<Tracked>([twice, copy, practice, ...duplicates.flat()]);
  const conflictFields: readonly [ReportType, FieldName][] = [
    ['damage', 'structures'],
    ['damage', 'damageLevel'],
    ['displacement', 'individuals'],
    ['displacement', 'households'],
  ];
  const conflicted: Tracked[] = [];
  for (const [type, field] of conflictFields) {
    const report = eventReports.find(
      (r) => !taken.has(r) && r.content.type === type && r.content[field] !== undefined && r.createdAt < end - 3 * DAY,
    );
    if (!report) continue;
    taken.add(report);
    conflicted.push(report);
    // The monitor corrects it soon after its create reached the base, and has not synced again when the coordinator edits.
    const mine = syncedAt(report.device, report.createdAt) + dice.between(5 * MINUTE, 40 * MINUTE);
    const next = syncedAt(report.device, mine);
    const theirs = mine + Math.floor((next - mine) * (0.3 + dice.float() * 0.4));
    const was = report.content[field];
    const [monitorValue, coordinatorValue] =
      typeof was === 'number'
        ? [was + dice.int(2, 12), Math.max(0, was - dice.int(1, 5))]
        : was === 'destroyed'
          ? ['severe', 'moderate']
          : ['destroyed', was === 'severe' ? 'moderate' : 'severe'];
    monitorEdit(report, mine, { [field]: monitorValue });
    coordinatorActions.push({
      at: theirs,
      device: dice.pick(DEMO_COORDINATORS),
      reportId: report.id,
      kind: 'edit',
      body: (s, hlc) => editBody(s, { [field]: coordinatorValue }, hlc),
    });
  }

  // ----- monitors correcting their own counts when they learn more -----
  for (const report of eventReports
    .filter((r) => !taken.has(r) && r.content.type === 'displacement' && typeof r.content.individuals === 'number')
    .slice(0, 8)) {
    const at = syncedAt(report.device, report.createdAt) + dice.between(3 * HOUR, 48 * HOUR);
    if (at > end) continue;
    taken.add(report);
    monitorEdit(report, at, { individuals: (report.content.individuals as number) + dice.int(3, 25) });
  }

  // ----- phones: each device's ops in its own order, on its own clock -----
  const deviceOps = new Map<DeviceId, Op[]>();
  const receivedAt: Record<string, number> = {};
  const byId = new Map<TargetId, Tracked>(reports.map((r) => [r.id, r]));
  const ownState = (report: Tracked) =>
    mergeOps(
      report.id,
      report.ops.map((o) => o.op),
    );
  const clocks = new Map<string, Hlc>();
  const write = (action: Action, state: MergedState, received: number): Op => {
    const clock = tick(clocks.get(action.device) ?? { wall: 0, counter: 0, node: nodeIdOf(action.device) }, action.at);
    clocks.set(action.device, clock);
    const ops = deviceOps.get(action.device) ?? [];
    deviceOps.set(action.device, ops);
    const op: Op = {
      v: OP_FORMAT_VERSION,
      id: newOpId(clock.wall, dice.bytes),
      kind: action.kind,
      reportId: action.reportId,
      device: action.device,
      deviceSeq: ops.length + 1,
      body: action.body(state, encodeHlc(clock)),
    };
    ops.push(op);
    receivedAt[op.id] = received;
    return op;
  };
  const inOrder = (list: Action[]) =>
    list
      .map((a, i) => ({ a, i }))
      .sort((x, y) => x.a.at - y.a.at || x.i - y.i)
      .map((x) => x.a);

  for (const action of inOrder(monitorActions)) {
    const report = byId.get(action.reportId)!;
    // A monitor's edits build on its own ops; the only edits of its fields from elsewhere are the conflicts, which it has not seen.
    const op = write(action, ownState(report), syncedAt(action.device, action.at));
    report.ops.push({ op, receivedAt: receivedAt[op.id]! });
  }

  // ----- the base: the deployment's settings, then the coordinators' reviews, each on what had arrived -----
  const coordinator = DEMO_COORDINATORS[0];
  const devices = demoDevices();
  const settings = new Map<TargetId, { op: Op; receivedAt: number }[]>();
  const setting = (at: number, kind: OpKind, id: SettingId, changes: Record<string, unknown>) =>
    coordinatorActions.push({ at, device: coordinator, reportId: id, kind, body: (s, hlc) => settingBody(s, changes, hlc) });
  // Every device with the keys it enrolled with: a device that pinned the root takes a monitor's ops
  // only under the keys a coordinator's roster names for it.
  const entry = (d: DemoDevice) => {
    const own = keys?.get(d.device);
    return own ? { ...d, keys: { agreement: own.agreement, signing: own.signing } } : d;
  };
  setting(setupAt, 'deployment', ROSTER_ID, Object.fromEntries(devices.map((d) => [rosterField(d.device), entry(d)])));
  setting(setupAt + 5 * MINUTE, 'deployment', GAZETTEER_ID, { [GAZETTEER_FIELD]: gazetteer });
  const profile = partnerProfile({ name: DEMO_PROFILE, key: newPseudonymKey(dice.bytes) });
  setting(setupAt + 2 * HOUR, 'desk', profileSettingId(DEMO_PROFILE), profileChanges(profile));

  const arrived = (report: Tracked) => report.ops.find((o) => o.op.kind === 'create')!.receivedAt;
  coordinatorActions.push({
    at: arrived(practice) + 2 * HOUR,
    device: coordinator,
    reportId: practice.id,
    kind: 'edit',
    body: (s, hlc) => deleteBody(s, hlc),
  });

  const marked = new Set<Tracked>();
  for (const [original, second] of duplicates) {
    if (marked.size >= 3) break;
    const at = Math.max(arrived(original), arrived(second)) + dice.between(HOUR, 20 * HOUR);
    if (at > end) continue;
    marked.add(second);
    coordinatorActions.push({
      at,
      device: dice.pick(DEMO_COORDINATORS),
      reportId: second.id,
      kind: 'edit',
      body: (s, hlc) => editBody(s, { verification: 'duplicate', duplicateOf: original.id }, hlc),
    });
  }
  for (const report of reports) {
    if (report === copy || report === practice || marked.has(report) || !dice.chance(0.6)) continue;
    const at = arrived(report) + dice.between(HOUR, 72 * HOUR);
    if (at > end) continue;
    const status = dice.weighted([
      ['verified', 72],
      ['disputed', 12],
      ['unverified', 16],
    ] as const);
    coordinatorActions.push({
      at,
      device: dice.pick(DEMO_COORDINATORS),
      reportId: report.id,
      kind: 'edit',
      body: (s, hlc) => editBody(s, { verification: status }, hlc),
    });
  }

  const coordinators = new Set<DeviceId>(DEMO_COORDINATORS);
  for (const action of inOrder(coordinatorActions)) {
    const report = byId.get(action.reportId);
    const history = report ? report.ops : (settings.get(action.reportId) ?? []);
    // What this coordinator's device had pulled: every op the base had received by then.
    const seen = history.filter((o) => o.receivedAt <= action.at).map((o) => o.op);
    const state = mergeOps(action.reportId, seen, (d) => coordinators.has(d));
    const op = write(action, state, action.at + 20_000);
    history.push({ op, receivedAt: receivedAt[op.id]! });
    if (!report) settings.set(action.reportId, history);
  }

  return { devices, ops: Object.fromEntries(devices.map((d) => [d.device, deviceOps.get(d.device) ?? []])), receivedAt, enrolledAt };
}
