/** Runs one Argon2id derivation in a Web Worker of its own (argon2.worker.ts), ended with its answer. */
import type { Bytes } from '../../domain/crypto/bytes.ts';
import type { Argon2idParams } from '../../domain/crypto/passphrase.ts';

export interface Argon2Job {
  password: Uint8Array;
  salt: Uint8Array;
  params: Argon2idParams;
  length: number;
}

export function argon2InWorker(password: Uint8Array, salt: Uint8Array, params: Argon2idParams, length: number): Promise<Bytes> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./argon2.worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<Bytes | undefined>) => {
      worker.terminate();
      if (e.data) resolve(e.data);
      else reject(new Error('Argon2id failed'));
    };
    worker.onerror = () => {
      worker.terminate();
      reject(new Error('The Argon2id worker failed'));
    };
    // A copy: the caller's bytes stay the caller's to zero.
    worker.postMessage({ password: Uint8Array.from(password), salt: Uint8Array.from(salt), params, length } satisfies Argon2Job);
  });
}
