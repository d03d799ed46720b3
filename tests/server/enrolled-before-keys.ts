/**
 * A device as a base from before keys came first (decision 055) holds it: enrolled while the
 * deployment had no root or no deployment key, so a monitor's ops may travel in clear. No base
 * enrolls a monitor so now, so tests of such a base write the device into its store, token and all.
 */
import { cryptoRandom } from '../../src/domain/ids.ts';
import type { Role } from '../../src/domain/roles.ts';
import { randomSecret, secretHash, TOKEN_BYTES } from '../../src/server/enrollment/secrets.ts';
import type { Store } from '../../src/server/store/index.ts';
import { deviceId } from '../ids.ts';

/** Returns the device's token. `keys`: the public keys it enrolled with, in a deployment made before roots. */
export async function enrollBeforeKeys(
  store: Store,
  device: string,
  role: Role,
  now: number,
  keys?: { agreement: string; signing: string },
): Promise<string> {
  const token = randomSecret(cryptoRandom, TOKEN_BYTES);
  await store.db
    .insertInto('devices')
    .values({
      device: deviceId(device),
      role,
      token_hash: secretHash(token),
      revoked_at: null,
      created_at: now,
      public_keys: keys ? JSON.stringify(keys) : null,
    })
    .execute();
  return token;
}
