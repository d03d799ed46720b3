/** The lock record in idb-keyval, under the name the panic's first step deletes. */
import { get, set } from '../store/keyval.ts';
import { VAULT_KEY } from './options.ts';
import type { VaultStore } from './vault.ts';

export const browserVault: VaultStore = {
  read: () => get(VAULT_KEY),
  write: (record) => set(VAULT_KEY, record),
};
