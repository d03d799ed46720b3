/** The lock record in idb-keyval, under the name the panic's first step deletes. */
import { get, set } from '../store/keyval.ts';
import { LOCK_RECORD_KEY } from './options.ts';
import type { LockRecordStore } from './lock-record.ts';

export const browserLockRecordStore: LockRecordStore = {
  read: () => get(LOCK_RECORD_KEY),
  write: (record) => set(LOCK_RECORD_KEY, record),
};
