import { afterEach, describe, expect, test } from 'vitest';
import type { Enrollment } from '../../../src/app/enrollment-store.ts';
import { rotateTokenIfOld, TOKEN_MAX_AGE_MS } from '../../../src/app/sync/token.ts';
import { httpTransport, SYNC_ERRORS, type Endpoint, type Fetch } from '../../../src/app/sync/transport.ts';
import { enrollDevice, ORIGIN, startBase, T0, type Base } from './sync-fixtures.ts';

const bases: Base[] = [];
afterEach(async () => {
  for (const b of bases.splice(0)) await b.close();
});

const emptySync = { epoch: null, cursor: null, ops: [] };

async function enrolledPhone() {
  const base = await startBase();
  bases.push(base);
  const coordinator = await enrollDevice(base, 'coord', 'coordinator');
  const phone = await enrollDevice(base, 'phone', 'monitor', coordinator);
  const enrollment: Enrollment = { origin: ORIGIN, role: 'monitor', token: phone.token, device: phone.device, enrolledAt: T0 };
  const syncsWith = (token: string) =>
    httpTransport({ origin: ORIGIN, token, fetch: base.fetch })(emptySync).then(
      () => true,
      (e: Error & { code?: string }) => (e.code === SYNC_ERRORS.unauthorized ? false : Promise.reject(e)),
    );
  return { base, enrollment, syncsWith };
}

describe('the phone retires its token now and then', () => {
  test("a young token is kept; an old one is swapped, saved first, and the old one dies at the new one's first use", async () => {
    const { base, enrollment, syncsWith } = await enrolledPhone();
    const endpoint: Endpoint = { origin: ORIGIN, token: enrollment.token, fetch: base.fetch };
    const saved: Enrollment[] = [];
    const save = async (e: Enrollment) => void saved.push(e);

    expect(await rotateTokenIfOld(enrollment, endpoint, T0 + TOKEN_MAX_AGE_MS - 1, save)).toBe(enrollment);
    expect(saved).toEqual([]);

    const later = T0 + TOKEN_MAX_AGE_MS;
    const next = await rotateTokenIfOld(enrollment, endpoint, later, save);
    expect(next.token).not.toBe(enrollment.token);
    expect(saved).toEqual([{ ...enrollment, token: next.token, tokenIssuedAt: later }]);
    expect(endpoint.token).toBe(next.token);

    expect(await syncsWith(next.token)).toBe(true);
    expect(await syncsWith(enrollment.token)).toBe(false);
    // Counted from the rotation now, not from enrollment.
    expect(await rotateTokenIfOld(next, endpoint, later + 1, save)).toBe(next);
  });

  test('an answer lost on the way leaves the phone its old token, which still works, and the next try succeeds', async () => {
    const { base, enrollment, syncsWith } = await enrolledPhone();
    let dropAnswers = true;
    const flaky: Fetch = async (url, init) => {
      const res = await base.fetch(url, init);
      if (dropAnswers) throw new TypeError('connection reset');
      return res;
    };
    const endpoint: Endpoint = { origin: ORIGIN, token: enrollment.token, fetch: flaky };
    const saved: Enrollment[] = [];
    const later = T0 + 2 * TOKEN_MAX_AGE_MS;
    await expect(rotateTokenIfOld(enrollment, endpoint, later, async (e) => void saved.push(e))).rejects.toMatchObject({
      code: SYNC_ERRORS.network,
    });
    expect(saved).toEqual([]);
    expect(endpoint.token).toBe(enrollment.token);
    expect(await syncsWith(enrollment.token)).toBe(true);

    dropAnswers = false;
    const next = await rotateTokenIfOld(enrollment, endpoint, later, async (e) => void saved.push(e));
    expect(await syncsWith(next.token)).toBe(true);
    expect(await syncsWith(enrollment.token)).toBe(false);
  });
});
