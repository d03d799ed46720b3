/**
 * The preset dictionary of body codec 2 (sealed.ts): DEFLATE starts as if these bytes had just been
 * written, so the names and choices every report repeats cost a back-reference rather than their
 * letters. A sealed body is compressed alone, one op at a time, and most of a report's JSON is
 * those names (decision 092).
 *
 * Frozen: a body written with it can only be read with these very bytes, for as long as the op is
 * kept. Its SHA-256 is pinned by a test and printed in docs/security.md; a new field or choice goes
 * into a new dictionary under a new codec, never into this one. The commonest text comes last, where
 * a back-reference is shortest.
 */
import { utf8, type Bytes } from '../crypto/bytes.ts';

const FRAGMENTS = [
  '"attachments":[{"blob":{"bytes":,"sha256":"},"bytes":,"capturedAt":"2026-","key":"","mime":"image/jpeg","sha256":"}],"detach":{"',
  '"cutCause":"attack","siege","infrastructure_damage","deliberate_cut","shortage","other",',
  '"service":"bread","water","electricity","fuel","health","telecoms",',
  '"serviceState":"cut","partial","restored","period":{"since":"2026-","until":"2026-"},"type":"access_cut"',
  '"duplicateOf":"","verification":"unverified","verified","disputed","duplicate",',
  '"displacementCause":"violence","threats","home_destroyed","eviction","loss_of_services","shelling","looting",',
  '"households":,"individuals":,"ongoing":false,"ongoing":true,',
  '"shelter":"camp","host_family","collective_centre","public_building","military_base","open_air","type":"displacement"',
  '"damageCause":"burning","demolition","damageLevel":"destroyed","severe","moderate","possible","looted":false,"looted":true,',
  '"structureKind":"home","shop","worship","school","clinic","infrastructure","structures":,"type":"damage"',
  '"destination":{"admin":{"adm1":{"ar":"","en":"","pcode":""},"adm2":{"ar":"","en":"","pcode":""},"adm3":{"ar":"","en":"","pcode":""}},"name":""},',
  '"origin":{"admin":{"adm1":{"ar":"","en":"","pcode":""},"adm2":{"ar":"","en":"","pcode":""},"adm3":{"ar":"","en":"","pcode":""}},"name":""},',
  '"point":{"accuracy":,"lat":,"lon":},"sourceDetail":"","sourceKind":"victim","open_source","secondary","eyewitness",',
  '"confidence":"low","high","medium",',
  '"eventDate":{"date":"2026-","end":"2026-","precision":"range"},"eventDate":{"date":"2026-","precision":"approximate"},"eventDate":{"date":"2026-","precision":"exact"},',
  '"locationPrecision":"approximate","exact","area","narrative":"","placeName":"","hlc":"2026-12-01T00:00:00.000Z-0000-","supersedes":{}}',
  '{"changes":{"admin":{"adm1":{"ar":"","en":"","pcode":""},"adm2":{"ar":"","en":"","pcode":""},"adm3":{"ar":"","en":"","pcode":""}},',
];

export const BODY_DICTIONARY: Bytes = utf8(FRAGMENTS.join(''));
