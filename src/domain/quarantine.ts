/**
 * Quarantine reasons: why an arrived op cannot be read, opened or checked, so it is kept in
 * quarantine, never applied and never blocking the ops behind it. Each is a catalog key shown to
 * coordinators beside the quarantined op; the values are stored in quarantine rows and never change.
 */
export const QUARANTINE_REASONS = {
  /** Not an object with a valid op header. */
  badHeader: 'quarantine.badHeader',
  /** The body is not JSON. */
  badJson: 'quarantine.badJson',
  /**
   * The body is JSON but not a valid op body (or too large, or too many fields); for a sealed op,
   * opened and signed but not a valid op body, or it inflates past the size limit.
   */
  badBody: 'quarantine.badBody',
  /** A format version this app does not read yet. */
  unknownVersion: 'quarantine.unknownVersion',
  /** The body is not a sealed body: bad JSON, shape, base64url or sizes. */
  sealMalformed: 'quarantine.sealMalformed',
  /** None of this reader's keys is among the recipients. */
  notForThisDevice: 'quarantine.notForThisDevice',
  /** The sealing key is not in the roster this reader holds (yet). */
  unknownSender: 'quarantine.unknownSender',
  /** A wrapped key or the ciphertext failed its integrity check: changed in transit or at rest. */
  openFailed: 'quarantine.openFailed',
  /** The author device has no signing key in the roster this reader holds (yet). */
  unknownSigner: 'quarantine.unknownSigner',
  /** The signature is not the author's over this header and body. */
  badSignature: 'quarantine.badSignature',
  /** Written after its author's cut-off: its author was revoked before it (trust rule, step 5). */
  afterCutoff: 'quarantine.afterCutoff',
  /** Not its author's to write as the trusted roster stands: a setting from a monitor, or anything but roster statements from the root. */
  notAllowed: 'quarantine.notAllowed',
  /** The sealed blobs listed in clear beside the body are not those the signed body names. */
  badBlobs: 'quarantine.badBlobs',
  /** In clear, or from before the root, on a device that pinned the root: nothing shows who wrote it until a device vouches for it. */
  unproven: 'quarantine.unproven',
} as const;
export type QuarantineReason = (typeof QUARANTINE_REASONS)[keyof typeof QUARANTINE_REASONS];

/**
 * Reasons an op waits in quarantine rather than failing for good: this reader lacks a key it may
 * get later (the deployment key imported on the desk, a roster naming the author). Such ops are
 * tried again when what the reader knows changes.
 */
export const WAITING_REASONS: readonly string[] = [
  QUARANTINE_REASONS.notForThisDevice,
  QUARANTINE_REASONS.unknownSender,
  QUARANTINE_REASONS.unknownSigner,
  QUARANTINE_REASONS.notAllowed,
  QUARANTINE_REASONS.unproven,
];
