/**
 * Argon2id off the page's thread: the passcode's derivation allocates 64 MiB, and collecting it
 * after an unlock cost the page about 200 ms at 4x CPU slowdown, right when the list was to be
 * drawn (docs/decisions.md, 077). The worker is ended with its answer, its memory with it.
 */
import { argon2idHere } from '../../domain/crypto/passphrase.ts';
// Types only: argon2-worker.ts starts this worker, and a worker bundling its own starter would nest itself.
import type { Argon2Job } from './argon2-worker.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

scope.onmessage = async (e: MessageEvent<Argon2Job>) => {
  const { password, salt, params, length } = e.data;
  try {
    const out = await argon2idHere(password, salt, params, length);
    scope.postMessage(out, [out.buffer]);
  } catch {
    scope.postMessage(undefined);
  } finally {
    password.fill(0);
  }
};
