// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { readAhead, readAheadFor } from '../../../src/app/sync/take-in.ts';
import { generateKeyPair } from '../../../src/domain/crypto/keys.ts';
import { PairKeyCache } from '../../../src/domain/crypto/pair-keys.ts';
import { encodeHlc, nodeIdOf } from '../../../src/domain/hlc.ts';
import { cryptoRandom, newOpId, newReportId } from '../../../src/domain/ids.ts';
import { KeyDirectory } from '../../../src/domain/key-directory.ts';
import { CODECS_READ } from '../../../src/domain/op/codecs.ts';
import type { Op } from '../../../src/domain/op/op.ts';
import { sealForWire, toWire } from '../../../src/domain/op/outgoing.ts';
import type { Reader } from '../../../src/domain/op/read.ts';
import type { SyncResponse } from '../../../src/domain/op/sync.ts';
import type { ServedOp } from '../../../src/domain/op/wire.ts';
import { ROSTER_ID } from '../../../src/domain/roster.ts';
import { deviceId } from '../../ids.ts';

const MONITOR = deviceId('monitor-ahead-01');
const T = Date.UTC(2025, 2, 8, 9);

function createOp(i: number): Op {
  const at = T + i * 1000;
  return {
    v: 1,
    id: newOpId(at, cryptoRandom),
    kind: 'create',
    reportId: newReportId(at, cryptoRandom),
    device: MONITOR,
    deviceSeq: i + 1,
    body: {
      hlc: encodeHlc({ wall: at, counter: 0, node: nodeIdOf(MONITOR) }),
      changes: { type: 'damage', placeName: 'كفر نبودة', structures: i + 1 },
      supersedes: {},
    },
  };
}

/** A monitor's sealed ops, served in pages, and a desk's reader for them built as a sync round builds one. */
async function deployment() {
  const [agreement, signing, key] = await Promise.all([generateKeyPair('x25519'), generateKeyPair('ed25519'), generateKeyPair('x25519')]);
  const entry = {
    device: MONITOR,
    role: 'monitor' as const,
    keys: { agreement: agreement.publicKey.text, signing: signing.publicKey.text },
  };
  const sealer = { agreement, signing, pairs: new PairKeyCache() };
  let seq = 0;
  const page = async (ops: Op[], extra: Partial<SyncResponse> = {}): Promise<SyncResponse> => {
    const served: ServedOp[] = [];
    for (const op of ops) {
      const sealed =
        op.kind === 'deployment' ? { ok: true as const, wire: toWire(op) } : await sealForWire(op, sealer, [key.publicKey], CODECS_READ);
      if (!sealed.ok) throw new Error(sealed.reason);
      served.push({ seq: ++seq, receivedAt: T, op: sealed.wire });
    }
    const last = served.at(-1);
    return {
      epoch: 'e1',
      serverTime: T,
      results: [],
      ops: served,
      cursor: last ? { seq: last.seq, opId: last.op.id } : null,
      more: true,
      watermark: 0,
      ...extra,
    };
  };
  const reader = async (mine: Reader['mine'] = [key]): Promise<Reader> => ({
    mine,
    directory: await KeyDirectory.of([entry]),
    pairs: new PairKeyCache(),
  });
  return { page, reader };
}

const rosterOp = (i: number): Op => ({ ...createOp(i), kind: 'deployment', reportId: ROSTER_ID });

describe('the next page, read while the one before it is taken in', () => {
  test('it opens as it would in its turn, and is used while the reader of its turn reads by the same keys', async () => {
    const { page, reader } = await deployment();
    const before = await page([createOp(0), createOp(1)]);
    const next = await page([createOp(2), createOp(3)]);
    const ahead = readAhead(before, next, await reader());
    expect(ahead).toBeDefined();
    const read = await readAheadFor(ahead, await reader());
    expect(read?.toQuarantine).toEqual([]);
    expect(read?.ops.map((o) => o.op.body.changes)).toEqual([
      { type: 'damage', placeName: 'كفر نبودة', structures: 3 },
      { type: 'damage', placeName: 'كفر نبودة', structures: 4 },
    ]);
    // A key that arrived since (a key file opened during the pull): the page is read again in its turn.
    expect(readAheadFor(ahead, await reader([...(await reader()).mine, await generateKeyPair('x25519')]))).toBeUndefined();
  });

  test('none is read past a deployment op, in the page taken in or the next, nor a page naming own ops in brief', async () => {
    const { page, reader } = await deployment();
    const plain = await page([createOp(0)]);
    const withRoster = await page([createOp(1), rosterOp(2)]);
    const own = await page([createOp(3)], { own: [{ seq: 99, receivedAt: T, id: newOpId(T, cryptoRandom), deviceSeq: 1 }] });
    expect(readAhead(withRoster, plain, await reader())).toBeUndefined();
    expect(readAhead(plain, withRoster, await reader())).toBeUndefined();
    expect(readAhead(plain, own, await reader())).toBeUndefined();
    expect(readAhead(plain, plain, await reader())).toBeDefined();
  });
});
