// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import {
  checkProfile,
  createProfile,
  formOf,
  formOfState,
  listProfiles,
  newProfileForm,
  OFFERED_ITEMS,
  profileState,
  removeProfile,
  rotateKey,
  updateProfile,
  type ListedProfile,
  type ProfileForm,
} from '../../../src/app/desk/profiles.ts';
import { writeOp } from '../../../src/app/store/write-op.ts';
import { settingBody } from '../../../src/domain/merge.ts';
import { profileSettingId } from '../../../src/export/desk-settings.ts';
import { DEFAULT_PARTNER_FIELDS, type PartnerProfile } from '../../../src/export/profile.ts';
import { PSEUDONYM_KEY_PATTERN } from '../../../src/export/pseudonym.ts';
import { itemSensitivity } from '../../../src/export/record.ts';
import { syncDevice, trackDeployments } from '../sync/sync-fixtures.ts';

const deployments = trackDeployments();

const deployment = () => deployments.twoCoordinatorsAndAMonitor();

const form = (over: Partial<ProfileForm> = {}): ProfileForm => ({ ...newProfileForm(), name: 'shelter-cluster', ...over });

function saved(check: Awaited<ReturnType<typeof createProfile>>): PartnerProfile {
  if (!check.ok) throw new Error(`not saved: ${JSON.stringify(check.errors)}`);
  return check.profile;
}

const usable = (p: ListedProfile | undefined): PartnerProfile => {
  if (!p?.ok) throw new Error(`not usable: ${JSON.stringify(p)}`);
  return p.profile;
};

describe('what a coordinator types is checked, and errors are catalog keys beside their field', () => {
  const KEY = 'k'.repeat(43);

  test.each<[string, Partial<ProfileForm>, Record<string, string>]>([
    ['a name with a sign', { name: 'Shelter Cluster!' }, { name: 'err.profile.name' }],
    ['a name with a control character', { name: 'مجموعة\u0000المأوى' }, { name: 'err.profile.name' }],
    ['a name longer than its setting id can hold', { name: 'مجموعة المأوى في الساحل' }, { name: 'err.profile.nameLong' }],
    ['an empty name', { name: '' }, { name: 'err.profile.name' }],
    ['the internal profile’s name', { name: 'internal' }, { name: 'err.profile.nameTaken' }],
    ['a point without a grid', { fields: [...DEFAULT_PARTNER_FIELDS, 'point'] }, { place: 'err.profile.pointNeedsGrid' }],
    ['a grid without the point', { place: 'grid' }, { fields: 'err.profile.gridNeedsPoint' }],
    ['a grid finer than a kilometre', { place: 'grid', km: '0.5', fields: ['point'] }, { km: 'err.profile.gridTooFine' }],
    ['a grid coarser than 100 km', { place: 'grid', km: '500', fields: ['point'] }, { km: 'err.profile.gridTooCoarse' }],
    ['a grid size that is no number', { place: 'grid', km: 'five', fields: ['point'] }, { km: 'err.profile.invalid' }],
    ['a device id', { fields: ['device'] as never }, { fields: 'err.profile.internalField' }],
    ['a field the app does not know', { fields: ['shoeSize'] as never }, { fields: 'err.profile.unknownField' }],
  ])('%s', (_, over, errors) => {
    const check = checkProfile(form(over), KEY);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.errors).toEqual(errors);
  });

  test('a grid size typed in Arabic-Indic digits is read as a number', () => {
    const check = checkProfile(form({ place: 'grid', km: '٥', level: 3, fields: ['point', 'admin'] }), KEY);
    expect(check.ok && check.profile.place).toEqual({ by: 'grid', level: 3, km: 5 });
  });

  test('internal fields are never offered; every other listable field is', () => {
    expect(OFFERED_ITEMS).toContain('narrative');
    expect(OFFERED_ITEMS).toContain('point');
    for (const s of ['device', 'sourceDetail', 'conflicts', 'deleted'] as const) expect(OFFERED_ITEMS).not.toContain(s);
    expect(OFFERED_ITEMS.every((s) => itemSensitivity(s) !== 'internal')).toBe(true);
  });
});

describe('partner profiles as desk ops', () => {
  test('a new profile is one desk op with a key of its own, and reaches the other coordinator but no phone', async () => {
    const { first, second, monitor } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    expect(profile.key).toMatch(PSEUDONYM_KEY_PATTERN);
    expect(profile).toMatchObject({
      name: 'shelter-cluster',
      fields: DEFAULT_PARTNER_FIELDS,
      place: { by: 'admin', level: 2 },
      dates: 'week',
    });
    const ops = await first.db.ops.toArray();
    expect(ops.map((o) => [o.kind, o.reportId])).toEqual([['desk', 'profile:shelter-cluster']]);

    await syncDevice(first);
    await syncDevice(second);
    await syncDevice(monitor);
    expect(await listProfiles(second.db)).toEqual([
      { name: 'shelter-cluster', ok: true, profile, conflicts: [], removedWhileEdited: false },
    ]);
    expect(await listProfiles(monitor.db)).toEqual([]);
    expect(await monitor.db.ops.where('reportId').equals('profile:shelter-cluster').count()).toBe(0);
  });

  test('two profiles get different keys, so two partners cannot join their files', async () => {
    const { first } = await deployment();
    const a = saved(await createProfile(first.writer, form({ name: 'partner-a' })));
    const b = saved(await createProfile(first.writer, form({ name: 'partner-b' })));
    expect(a.key).not.toBe(b.key);
    expect((await listProfiles(first.db)).map((p) => p.name)).toEqual(['partner-a', 'partner-b']);
  });

  test('a name in use is refused beside the name, and nothing is written', async () => {
    const { first } = await deployment();
    const before = saved(await createProfile(first.writer, form()));
    const again = await createProfile(first.writer, form({ dates: 'day' }));
    expect(again).toEqual({ ok: false, errors: { name: 'err.profile.nameTaken' } });
    expect(await first.db.ops.count()).toBe(1);
    expect(usable((await listProfiles(first.db))[0])).toEqual(before);
  });

  test('a profile named in Arabic is saved, reaches the other coordinator under that name, and is edited and removed by it', async () => {
    const { first, second } = await deployment();
    // Typed with spaces around it, and decomposed as some keyboards send it: one name all the same.
    const name = 'مجموعة المأوى';
    const profile = saved(await createProfile(first.writer, form({ name: ` ${name.normalize('NFD')} ` })));
    expect(profile.name).toBe(name);
    await syncDevice(first);
    await syncDevice(second);
    expect((await listProfiles(second.db)).map((p) => [p.name, p.ok])).toEqual([[name, true]]);
    expect(await updateProfile(second.writer, { ...formOf(profile), dates: 'day' })).toMatchObject({ ok: true, wrote: true });
    expect(usable((await listProfiles(second.db))[0]).dates).toBe('day');
    expect(await createProfile(second.writer, form({ name }))).toEqual({ ok: false, errors: { name: 'err.profile.nameTaken' } });
    await removeProfile(second.writer, name);
    expect(await listProfiles(second.db)).toEqual([]);
  });

  test('an invalid form writes nothing', async () => {
    const { first } = await deployment();
    const check = await createProfile(first.writer, form({ name: 'Bad Name!' }));
    expect(check).toEqual({ ok: false, errors: { name: 'err.profile.name' } });
    expect(await first.db.ops.count()).toBe(0);
  });

  test('an edit writes only the parts that changed and keeps the key; saving with no change writes nothing', async () => {
    const { first } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    const edited = await updateProfile(first.writer, { ...formOf(profile), dates: 'day', fields: [...profile.fields, 'narrative'] });
    expect(edited.ok && edited.wrote).toBe(true);
    // In clock order: two ops of one millisecond have op ids in either order.
    const ops = (await first.db.ops.toArray()).sort((a, b) => (a.body.hlc < b.body.hlc ? -1 : 1));
    expect(ops).toHaveLength(2);
    expect(Object.keys(ops[1]!.body.changes).sort()).toEqual(['dates', 'fields']);
    const read = usable((await listProfiles(first.db))[0]);
    expect(read).toEqual({ ...profile, dates: 'day', fields: [...profile.fields, 'narrative'] });

    const same = await updateProfile(first.writer, formOf(read));
    expect(same.ok && same.wrote).toBe(false);
    expect(await first.db.ops.count()).toBe(2);
  });

  test('an edit refused by the schema writes nothing and says why beside the field', async () => {
    const { first } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    const check = await updateProfile(first.writer, { ...formOf(profile), place: 'grid', km: '5' });
    expect(check).toEqual({ ok: false, errors: { fields: 'err.profile.gridNeedsPoint' } });
    expect(await first.db.ops.count()).toBe(1);
  });

  test('edits of different parts made apart both stay; the same part made apart is a conflict, unusable until saved', async () => {
    const { first, second } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    await syncDevice(first);
    await syncDevice(second);
    // Apart: neither has seen the other's edit.
    await updateProfile(first.writer, { ...formOf(profile), dates: 'day' });
    await updateProfile(second.writer, { ...formOf(profile), level: 1 });
    await syncDevice(first);
    await syncDevice(second);
    await syncDevice(first);
    const merged = usable((await listProfiles(first.db))[0]);
    expect(merged).toMatchObject({ dates: 'day', place: { by: 'admin', level: 1 } });
    expect(await listProfiles(second.db)).toEqual(await listProfiles(first.db));

    await updateProfile(first.writer, { ...formOf(merged), fields: ['admin'] });
    await updateProfile(second.writer, { ...formOf(merged), fields: ['eventDate'] });
    await syncDevice(first);
    await syncDevice(second);
    await syncDevice(first);
    const [clash] = await listProfiles(first.db);
    expect(clash).toMatchObject({ name: 'shelter-cluster', conflicts: ['fields'] });

    // Saving what the editor shows chooses it, for every coordinator.
    const chosen = formOfState((await profileState(first.db, 'shelter-cluster'))!, 'shelter-cluster');
    const resolved = await updateProfile(first.writer, chosen);
    expect(resolved.ok && resolved.wrote).toBe(true);
    await syncDevice(first);
    await syncDevice(second);
    const [after] = await listProfiles(second.db);
    expect(after).toMatchObject({ ok: true, conflicts: [] });
    expect(usable(after).fields).toEqual(chosen.fields);
  });

  test('rotating the key changes the key and nothing else', async () => {
    const { first } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    await rotateKey(first.writer, profile.name);
    const rotated = usable((await listProfiles(first.db))[0]);
    expect(rotated.key).toMatch(PSEUDONYM_KEY_PATTERN);
    expect(rotated.key).not.toBe(profile.key);
    expect({ ...rotated, key: '' }).toEqual({ ...profile, key: '' });
    const ops = await first.db.ops.toArray();
    expect(Object.keys(ops[1]!.body.changes)).toEqual(['key']);
  });

  test('a removed profile leaves the list everywhere, and its name can be used again with a new key', async () => {
    const { first, second } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    await syncDevice(first);
    await syncDevice(second);
    await removeProfile(second.writer, profile.name);
    await syncDevice(second);
    await syncDevice(first);
    expect(await listProfiles(first.db)).toEqual([]);

    const again = saved(await createProfile(first.writer, form({ dates: 'day' })));
    expect(again.key).not.toBe(profile.key);
    expect(await listProfiles(first.db)).toEqual([
      { name: profile.name, ok: true, profile: again, conflicts: [], removedWhileEdited: false },
    ]);
  });

  test('a profile removed on one device while edited on another stays listed, unusable, until a coordinator saves or removes it', async () => {
    const { first, second } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    await syncDevice(first);
    await syncDevice(second);
    await removeProfile(first.writer, profile.name);
    await updateProfile(second.writer, { ...formOf(profile), dates: 'day' });
    await syncDevice(first);
    await syncDevice(second);
    await syncDevice(first);
    const [crossed] = await listProfiles(first.db);
    expect(crossed).toMatchObject({ name: profile.name, ok: false, reason: 'err.profile.removed', removedWhileEdited: true });

    // The removal took the key with it: kept, the profile has a new one.
    const kept = await updateProfile(first.writer, formOfState((await profileState(first.db, profile.name))!, profile.name));
    expect(kept.ok && kept.wrote).toBe(true);
    const restored = usable((await listProfiles(first.db))[0]);
    expect(restored.key).not.toBe(profile.key);
    expect({ ...restored, key: '' }).toEqual({ ...profile, dates: 'day', key: '' });
    await syncDevice(first);
    await syncDevice(second);
    expect(await listProfiles(second.db)).toEqual(await listProfiles(first.db));
  });

  test('a profile removed while edited elsewhere leaves the list once removed again', async () => {
    const { first, second } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    await syncDevice(first);
    await syncDevice(second);
    await removeProfile(first.writer, profile.name);
    await updateProfile(second.writer, { ...formOf(profile), level: 3 });
    for (const d of [first, second, first]) await syncDevice(d);
    expect((await listProfiles(first.db)).map((p) => p.removedWhileEdited)).toEqual([true]);

    await removeProfile(first.writer, profile.name);
    await syncDevice(first);
    await syncDevice(second);
    expect(await listProfiles(first.db)).toEqual([]);
    expect(await listProfiles(second.db)).toEqual([]);
  });

  test('a profile that lists an internal field (an older or faulty app) is listed with why, and can be fixed in the editor', async () => {
    const { first } = await deployment();
    const profile = saved(await createProfile(first.writer, form()));
    // Written past the schema, as a faulty device could.
    await writeOp(first.writer, profileSettingId(profile.name), (state, hlc) => ({
      kind: 'desk',
      body: settingBody(state, { fields: ['admin', 'device'] }, hlc),
    }));
    const [leaky] = await listProfiles(first.db);
    expect(leaky).toMatchObject({ ok: false, reason: 'err.profile.internalField' });

    const typed = formOfState((await profileState(first.db, profile.name))!, profile.name);
    expect(typed.fields).toEqual(['admin', 'device']);
    expect(await updateProfile(first.writer, typed)).toEqual({ ok: false, errors: { fields: 'err.profile.internalField' } });
    const fixed = await updateProfile(first.writer, { ...typed, fields: ['admin'] });
    expect(fixed.ok).toBe(true);
    expect(usable((await listProfiles(first.db))[0]).fields).toEqual(['admin']);
  });
});
