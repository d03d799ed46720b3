/**
 * The base server's op store: what the HTTP layer imports. It stores ops and serves them; it never
 * merges them and never opens their bodies (of a sealed op it checks only the shape).
 */
export { openStore, type OpenStoreOptions, type Store } from './open.ts';
export { pushOps, type PushAnswer, type PushInput } from './push.ts';
export { pullOps, type Cursor, type PulledOp, type PullInput, type PullResult } from './pull.ts';
export { allWatermarks, deviceWatermark, type DeviceWatermark } from './watermark.ts';
export { currentEpoch, lostDecidedOps, renewEpoch } from './epoch.ts';
export { REJECT, RETRY, MAX_STORED_BODY_BYTES, type Caller, type IncomingOp, type RejectReason, type RetryReason } from './rules.ts';
export type { Role } from './schema.ts';
