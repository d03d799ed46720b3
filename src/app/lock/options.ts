/**
 * What the start of the app needs to know of the lock before any of its code loads: where the
 * record lies, how long the data key it wraps is, and the choices Settings offers (the first of each
 * is the default).
 */
export const LOCK_RECORD_KEY = 'wrappedDataKey';
export const DATA_KEY_BYTES = 32;
export const IDLE_MINUTES = [5, 1, 2, 10, 30] as const;
export const WIPE_AFTER = [0, 5, 10, 20] as const;
