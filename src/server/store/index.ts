/**
 * The base server's op store: what the HTTP layer imports. It stores ops and serves them; it never
 * merges them and never opens their bodies (of a sealed op it checks only the shape).
 */
export { openStore, type OpenStoreOptions, type Store } from './open.ts';
export { pushOps } from './push.ts';
export { pullOps } from './pull.ts';
export { allWatermarks, deviceWatermark } from './watermark.ts';
export { currentEpoch, lostDecidedOps, readEpoch, renewEpoch } from './epoch.ts';
export { provenClaims, receiptOf } from './receipts.ts';
export { pushedOfWire, REJECT, RETRY, type Caller, type PushedOp } from './rules.ts';
export { commonCodecs, noteCodecs } from './codecs.ts';
