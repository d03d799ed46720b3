/**
 * The signature checks a push hands to the worker threads: a batch large enough for the pool gets
 * the same answers, in the same order, as the same checks made on the request thread, whatever
 * mix of algorithms, keys and spoiled signatures it holds.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { expect, test } from 'vitest';
import { checkAll, checkHere, type Check } from '../../../src/server/store/verify-pool.ts';

function signer(alg: Check['alg']) {
  const { publicKey, privateKey } = alg === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const signed = (message: Uint8Array) =>
    new Uint8Array(
      alg === 'ed25519' ? sign(null, message, privateKey) : sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
    );
  return { alg, der, signed };
}

test('a batch checked by the workers gets each check its own answer, in order', async () => {
  const signers = [signer('ed25519'), signer('ed25519'), signer('p256-ecdsa')];
  const checks: Check[] = [];
  const expected: boolean[] = [];
  for (let i = 0; i < 240; i++) {
    const { alg, der, signed } = signers[i % signers.length]!;
    // Messages of many lengths, so no check's bytes can be read at another's place.
    const message = new TextEncoder().encode(`op ${i} `.repeat(1 + (i % 17)));
    const signature = signed(message);
    const spoil = i % 5;
    if (spoil === 1) signature[7] = signature[7]! ^ 1;
    const other = spoil === 2 ? new TextEncoder().encode(`op ${i + 1}`) : message;
    const key = spoil === 3 ? signers[(i + 1) % signers.length]!.der : der;
    const cut = spoil === 4 && i % 2 === 0 ? signature.subarray(0, 63) : signature;
    checks.push({ alg, der: key, message: other, signature: cut });
    expected.push(spoil === 0 || (spoil === 4 && i % 2 === 1));
  }
  checks.push({ alg: 'ed25519', der: 'bm90IGEga2V5', message: new Uint8Array(3), signature: new Uint8Array(64) });
  expected.push(false);

  const answers = await checkAll(checks);
  expect(answers).toEqual(expected);
  expect(checks.map(checkHere)).toEqual(expected);
  // The pool takes nothing from the caller: the same checks can be made again.
  expect(await checkAll(checks)).toEqual(expected);
});
