/**
 * Opens sealed ops away from the page (open-worker.ts): each with the reader's own keys and the
 * directory it was sent, as `readArrived` opens them on the page. The keys agreed with the senders
 * are kept for the next page of the same sync; the page ends this worker with the sync.
 */
import { PairKeyCache } from '../../domain/crypto/pair-keys.ts';
import type { AgreementKeyPair } from '../../domain/crypto/keys.ts';
import { KeyDirectory, type PlainKeyDirectory } from '../../domain/key-directory.ts';
import { opensWithKeysAlone, readArrived, type ArrivedOp } from '../../domain/op/read.ts';
import { QUARANTINE_REASONS } from '../../domain/quarantine.ts';

export interface OpenRequest {
  id: number;
  ops: unknown[];
  mine: readonly AgreementKeyPair[];
  directory: PlainKeyDirectory;
}

export type OpenAnswer = { id: number; ok: true; read: ArrivedOp[] } | { id: number; ok: false; detail: string };

const scope = self as unknown as DedicatedWorkerGlobalScope;
const pairs = new PairKeyCache();

scope.onmessage = (e: MessageEvent<OpenRequest>) => {
  const { id, ops, mine, directory } = e.data;
  const reader = { mine, directory: KeyDirectory.fromPlain(directory), pairs };
  // Only what reads the same here as on the page; anything else sent is refused, never guessed at.
  void Promise.all(
    ops.map((w): Promise<ArrivedOp> =>
      opensWithKeysAlone(w) ? readArrived(w, reader) : Promise.resolve({ ok: false, reason: QUARANTINE_REASONS.badHeader }),
    ),
  ).then(
    (read) => scope.postMessage({ id, ok: true, read } satisfies OpenAnswer),
    (error: unknown) =>
      scope.postMessage({ id, ok: false, detail: error instanceof Error ? error.message : String(error) } satisfies OpenAnswer),
  );
};
