import { describe, expect, test } from 'vitest';
import { encodeHlc, nodeIdOf } from '../../src/domain/hlc.ts';
import { applyOp, deleteBody, emptyState, settingBody, type MergedState } from '../../src/domain/merge.ts';
import type { Op } from '../../src/domain/op/op.ts';
import {
  exportLogEntryFromState,
  exportLogId,
  profileChanges,
  profileFromState,
  profileNameOf,
  profileSettingId,
} from '../../src/export/desk-settings.ts';
import { partnerProfile } from '../../src/export/profile.ts';
import { settingIdSchema } from '../../src/domain/id-schemas.ts';
import { deviceId, opId } from '../ids.ts';
import type { SettingId, TargetId } from '../../src/domain/ids.ts';

const KEY_A = 'a'.repeat(43);
const KEY_B = 'b'.repeat(43);
let seq = 0;

/** A desk op written by `device` on the state it had (`seen`, by default the state it lands on). */
function deskOp<Id extends TargetId>(
  state: MergedState<Id>,
  device: string,
  minute: number,
  body: (s: MergedState<Id>, hlc: string) => Op['body'],
  seen = state,
): MergedState<Id> {
  const hlc = encodeHlc({ wall: Date.UTC(2026, 10, 1) + minute * 60_000, counter: 0, node: nodeIdOf(device) });
  seq++;
  const id = opId(`0190a000-0000-7000-8000-${String(seq).padStart(12, '0')}`);
  return applyOp(state, { v: 1, id, kind: 'desk', reportId: state.id, device: deviceId(device), deviceSeq: seq, body: body(seen, hlc) });
}

describe('partner profiles as desk settings', () => {
  const profile = partnerProfile({ name: 'shelter-partner', key: KEY_A });

  test('a written profile reads back as the same profile', () => {
    const state = deskOp(emptyState(profileSettingId(profile.name)), 'coord-one', 1, (s, hlc) =>
      settingBody(s, profileChanges(profile), hlc),
    );
    expect(profileFromState(state)).toEqual({ name: 'shelter-partner', ok: true, profile, conflicts: [] });
  });

  test('a profile stored before photos sends none; one that sends them reads back so', () => {
    const { photos: _photos, ...before } = profileChanges(profile);
    const old = deskOp(emptyState(profileSettingId(profile.name)), 'coord-one', 1, (s, hlc) => settingBody(s, before, hlc));
    expect(profileFromState(old)).toMatchObject({ ok: true, profile: { photos: false } });
    const withPhotos = partnerProfile({ name: 'press-partner', key: KEY_A, photos: true });
    const state = deskOp(emptyState(profileSettingId(withPhotos.name)), 'coord-one', 2, (s, hlc) =>
      settingBody(s, profileChanges(withPhotos), hlc),
    );
    expect(profileFromState(state)).toMatchObject({ ok: true, profile: { photos: true } });
  });

  test('two coordinators changing different parts apart both keep theirs; the same part apart is a conflict', () => {
    const base = deskOp(emptyState(profileSettingId(profile.name)), 'coord-one', 1, (s, hlc) =>
      settingBody(s, profileChanges(profile), hlc),
    );
    const rotated = (s: MergedState<SettingId>) => deskOp(s, 'coord-one', 2, (st, hlc) => settingBody(st, { key: KEY_B }, hlc));
    const daily = (s: MergedState<SettingId>) => deskOp(s, 'coord-two', 3, (st, hlc) => settingBody(st, { dates: 'day' }, hlc));
    const both = daily(rotated(base));
    const read = profileFromState(both);
    expect(read?.ok && read.profile).toMatchObject({ key: KEY_B, dates: 'day' });

    const otherKey = deskOp(base, 'coord-two', 4, (st, hlc) => settingBody(st, { key: 'c'.repeat(43) }, hlc));
    const clash = deskOp(otherKey, 'coord-one', 5, (st, hlc) => settingBody(st, { key: KEY_B }, hlc), base);
    expect(profileFromState(clash)?.conflicts).toEqual(['key']);
  });

  test('a removed profile, or one naming an internal field, is listed with why and never usable', () => {
    const base = deskOp(emptyState(profileSettingId(profile.name)), 'coord-one', 1, (s, hlc) =>
      settingBody(s, profileChanges(profile), hlc),
    );
    const removed = deskOp(base, 'coord-one', 2, (s, hlc) => deleteBody(s, hlc));
    expect(profileFromState(removed)).toMatchObject({ ok: false, reason: 'err.profile.removed' });
    const leaky = deskOp(base, 'coord-two', 3, (s, hlc) => settingBody(s, { fields: ['narrative', 'device'] }, hlc));
    expect(profileFromState(leaky)).toMatchObject({ ok: false });
  });

  test('setting ids name profiles only by a valid name', () => {
    expect(profileNameOf('profile:ngo-1')).toBe('ngo-1');
    expect(profileNameOf('roster')).toBeUndefined();
    expect(profileNameOf('profile:Bad Name')).toBeUndefined();
    expect(() => profileSettingId('../etc')).toThrow('err.profile.name');
    expect(() => profileSettingId('منظمة'.repeat(4) + 'ا')).toThrow('err.profile.nameLong');
  });

  test('a name in Arabic, or with capitals and spaces, has a setting id an op header takes, and reads back from it', () => {
    // A slug keeps the id it always had.
    expect(profileSettingId('shelter-cluster')).toBe('profile:shelter-cluster');
    for (const name of ['مجموعة المأوى', 'Shelter Cluster', 'منظمة'.repeat(4), 'a'.repeat(40).toUpperCase()]) {
      const id = profileSettingId(name);
      expect(settingIdSchema.safeParse(id).success).toBe(true);
      expect(id).toMatch(/^profile:u\./);
      expect(profileNameOf(id)).toBe(name);
    }
    expect(profileSettingId('مجموعة المأوى')).not.toBe(profileSettingId('مجموعة المأوي'));
  });

  test('an encoded id that holds no valid name, or a slug written encoded, names no profile', () => {
    const encoded = (text: string) => `profile:u.${Buffer.from(text, 'utf8').toString('base64url')}`;
    expect(profileNameOf(encoded('مجموعة المأوى'))).toBe('مجموعة المأوى');
    // Each name has one id: a slug is never encoded.
    expect(profileNameOf(encoded('shelter-cluster'))).toBeUndefined();
    expect(profileNameOf(encoded('a\u0000b'))).toBeUndefined();
    expect(profileNameOf(encoded('../etc'))).toBeUndefined();
    // Not UTF-8, and not base64url.
    expect(profileNameOf(`profile:u.${Buffer.from([0xff, 0xfe, 0x41]).toString('base64url')}`)).toBeUndefined();
    expect(profileNameOf('profile:u.*')).toBeUndefined();
  });
});

describe('the export log', () => {
  test('an entry reads back; a damaged one is not taken for an entry', () => {
    const id = exportLogId('0190a000-0000-7000-8000-0000000000aa');
    const entry = { profile: 'internal', format: 'csv', rows: 312, at: '2026-11-24T10:00:00.000Z', by: 'coord-one' };
    const state = deskOp(emptyState(id), 'coord-one', 5, (s, hlc) => settingBody(s, entry, hlc));
    expect(exportLogEntryFromState(state)).toEqual(entry);
    const damaged = deskOp(emptyState(id), 'coord-one', 6, (s, hlc) => settingBody(s, { ...entry, rows: -1 }, hlc));
    expect(exportLogEntryFromState(damaged)).toBeUndefined();
    expect(() => exportLogId('not-a-uuid')).toThrow();
  });
});
