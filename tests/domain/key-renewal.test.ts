import { describe, expect, test } from 'vitest';
import { generateKeyPair } from '../../src/domain/crypto/keys.ts';
import { provenRenewal, renewalChanges, renewalOf, RENEWALS_ID } from '../../src/domain/key-renewal.ts';
import { isCoordinatorOnly } from '../../src/domain/vouching.ts';
import { deviceId, opId, settingId } from '../ids.ts';

const device = deviceId('field-0001-dev');
const other = deviceId('field-0002-dev');

async function newKeys() {
  const [agreement, signing] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519')]);
  return { pairs: { agreement, signing }, keys: { agreement: agreement.publicKey.text, signing: signing.publicKey.text } };
}

const opOf = (author: typeof device, deviceSeq: number, changes: Record<string, unknown>) => ({
  id: opId('0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b'),
  reportId: RENEWALS_ID,
  device: author,
  deviceSeq,
  body: { hlc: '', changes, supersedes: {} },
});

describe('a key renewal', () => {
  test('names keys from the op after it, and is proven by the new signing key', async () => {
    const { pairs, keys } = await newKeys();
    const renewal = renewalOf(opOf(device, 41, await renewalChanges(device, keys, pairs.signing)));
    expect(renewal).toMatchObject({ device, since: 42, keys });
    expect(await provenRenewal(renewal!)).toBe(true);
  });

  test('copied into another device’s op, or signed by another key, proves nothing', async () => {
    const { pairs, keys } = await newKeys();
    const copied = renewalOf(opOf(other, 3, await renewalChanges(device, keys, pairs.signing)));
    expect(await provenRenewal(copied!)).toBe(false);
    const stranger = await generateKeyPair('ed25519');
    const unproven = renewalOf(opOf(device, 3, await renewalChanges(device, keys, stranger)));
    expect(await provenRenewal(unproven!)).toBe(false);
  });

  test('with keys that are no keys, or on another target, is none', async () => {
    const { pairs, keys } = await newKeys();
    for (const bad of ['garbage', '<script>', 'x'.repeat(500)]) {
      expect(renewalOf(opOf(device, 3, { keys: { ...keys, signing: bad }, proof: 'p' }))).toBeUndefined();
    }
    // An agreement key given as the signing key is refused too.
    expect(renewalOf(opOf(device, 3, { keys: { agreement: keys.agreement, signing: keys.agreement }, proof: 'p' }))).toBeUndefined();
    const changes = await renewalChanges(device, keys, pairs.signing);
    expect(renewalOf({ ...opOf(device, 3, changes), reportId: settingId('roster') })).toBeUndefined();
  });

  test('is any device’s own word, as a vouching is', () => {
    expect(isCoordinatorOnly('deployment', RENEWALS_ID)).toBe(false);
    expect(isCoordinatorOnly('deployment', 'roster')).toBe(true);
  });
});
