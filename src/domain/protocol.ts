/**
 * The wire format between a device and the base: what `POST /api/v1/sync` and the enrollment
 * endpoints take and answer. Shared by the app (which sends and reads it), the server (which checks
 * it) and sync by file (whose files carry the same shapes). docs/protocol.md describes it for people.
 *
 * On the wire an op's body is a string: the server stores and compares it byte for byte and never
 * parses it. Today it is the canonical JSON of the body (so a retry sends the very same bytes);
 * sealed ops will carry ciphertext there under a new format version `v`.
 */
import { z } from 'zod/mini';
import { SUITES } from './crypto/algorithms.ts';
import { parsePublicKeyText } from './crypto/public-key-text.ts';
import { deviceIdSchema } from './id-schemas.ts';
import { wireHeaderSchema } from './op/header.ts';
import { ROLES } from './roles.ts';

/** Largest batch a device pushes or pulls in one request. */
export const MAX_BATCH = 500;
/** Largest request body, after gzip inflation. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;

export const wireOpSchema = z.extend(wireHeaderSchema, {
  body: z.string().check(z.maxLength(512 * 1024)),
  sig: z.optional(z.string().check(z.maxLength(1024))),
  /** Version 2: the author's outer signature over header and body text (crypto/outer-signature.ts). */
  osig: z.optional(z.string().check(z.maxLength(128))),
});
export type WireOp = z.infer<typeof wireOpSchema>;

/**
 * A position in the server's log: the sequence number and the op id held there. The id is text, not
 * an op id: it is only compared with the one held at `seq`, and a damaged cursor must get a `reset`
 * answer rather than a refused request.
 */
export const cursorSchema = z.object({
  seq: z.int().check(z.minimum(0)),
  opId: z.string().check(z.maxLength(64)),
});
export type Cursor = z.infer<typeof cursorSchema>;

/**
 * The highest deviceSeq of one device that the store decided with no gap below it. `device` is text,
 * unchecked as it always was: watermarks are compared with what the store holds, and a name no device
 * can have simply holds none.
 */
export const watermarkSchema = z.object({
  device: z.string(),
  deviceSeq: z.int(),
  /** The base's receipt for it (docs/protocol.md, Epochs): what shows, later, that the base said so. */
  receipt: z.optional(z.string().check(z.maxLength(64))),
});
export type Watermark = z.infer<typeof watermarkSchema>;

export const syncRequestSchema = z.object({
  /** The store epoch this device last saw, null before its first sync. */
  epoch: z.nullable(z.string().check(z.maxLength(64))),
  /** Where the device's last pull ended; null pulls from the start. */
  cursor: z.nullable(cursorSchema),
  ops: z.array(z.unknown()).check(z.maxLength(MAX_BATCH)),
  /**
   * The watermarks this device was last told in `epoch`: its own, and for a coordinator every
   * device's. A store that has decided less than that lost ops (a restore from an older backup) and
   * takes a new epoch, so that every device pulls again from zero.
   */
  known: z.optional(z.array(watermarkSchema).check(z.maxLength(100_000))),
  /** Most ops to pull in this answer (the server may send fewer). */
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_BATCH))),
});
export type SyncRequest = z.infer<typeof syncRequestSchema>;

/** `id` echoes what was pushed, as text: for an op with no usable id the base answers `""`. */
export const opResultSchema = z.discriminatedUnion('status', [
  z.object({ id: z.string(), status: z.literal('ack') }),
  /** Stored as rejected so the device's sequence has no gap; never served. Final. */
  z.object({ id: z.string(), status: z.literal('rejected'), reason: z.string() }),
  /** Stored nowhere; the device sends it again later. */
  z.object({ id: z.string(), status: z.literal('retry'), reason: z.string() }),
]);
export type OpResult = z.infer<typeof opResultSchema>;

export const servedOpSchema = z.object({
  seq: z.int(),
  receivedAt: z.number(),
  op: wireOpSchema,
});
export type ServedOp = z.infer<typeof servedOpSchema>;

export const syncResponseSchema = z.object({
  epoch: z.string(),
  /** The server's clock (ms since the Unix epoch), for the device's clock check and HLC bound. */
  serverTime: z.number(),
  /** One answer per pushed op, in the order sent. */
  results: z.array(opResultSchema),
  /** The cursor named an op the server does not hold there, or another epoch: pull again from zero. */
  reset: z.optional(z.boolean()),
  ops: z.array(servedOpSchema),
  cursor: z.nullable(cursorSchema),
  more: z.boolean(),
  /** The highest deviceSeq of the calling device decided without a gap: re-push everything above it. */
  watermark: z.int(),
  /** The base's receipt for `watermark` in this epoch: sent back in `known`. */
  receipt: z.optional(z.string().check(z.maxLength(64))),
  /** Coordinators only: the same for every device, so they can relay ops a base lost. */
  watermarks: z.optional(z.array(watermarkSchema)),
});
export type SyncResponse = z.infer<typeof syncResponseSchema>;

/** A public key in its travelling form, of an algorithm for its role (crypto/public-key-text.ts). */
function publicKeyText(role: 'agreement' | 'signing') {
  return z.string().check(z.refine((text) => parsePublicKeyText(text, role) !== undefined));
}

/** A deployment uses one suite for all its keys (docs/security.md, Keys). */
function sameSuite(agreement: string, signing: string): boolean {
  const a = parsePublicKeyText(agreement, 'agreement')?.alg;
  const s = parsePublicKeyText(signing, 'signing')?.alg;
  return Object.values(SUITES).some((suite) => suite.agreement === a && suite.signing === s);
}

export const enrollRequestSchema = z.object({
  code: z.string().check(z.minLength(8), z.maxLength(128)),
  device: deviceIdSchema,
  /** The device's public keys: `agreement` and `signing`, as `<alg>:<base64url>`, both or none. */
  keys: z.optional(
    z
      .strictObject({ agreement: publicKeyText('agreement'), signing: publicKeyText('signing') })
      .check(z.refine((keys) => sameSuite(keys.agreement, keys.signing))),
  ),
});

export const enrollResponseSchema = z.object({
  token: z.string(),
  role: z.enum(ROLES),
  device: z.string(),
  epoch: z.string(),
  /** The deployment's public key, once it has one: the device checks it against the link's fingerprint. */
  deploymentKey: z.optional(z.string().check(z.maxLength(200))),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

/** `GET /api/v1/deployment-key` (anyone: it is a public key) and `PUT` (coordinators, once). */
export const deploymentKeyResponseSchema = z.object({
  key: z.string().check(z.maxLength(200)),
  /**
   * SHA-256 of the raw key, base64url: what enrollment links carry as `fp`. Unchecked text, as it
   * always was: a device computes the key's own fingerprint and compares that, never this one.
   */
  fingerprint: z.string(),
  /** The deployment root's public signing key, once it has one: what enrollment links then pin. */
  root: z.optional(z.object({ key: z.string().check(z.maxLength(200)), fingerprint: z.string() })),
  /** The root's latest statement naming `key` (a signed roster op): a device takes the key only on its word. */
  statement: z.optional(wireOpSchema),
});
export type DeploymentKeyResponse = z.infer<typeof deploymentKeyResponseSchema>;
export const deploymentKeyRequestSchema = z.object({
  key: z.string().check(z.maxLength(200)),
  /** The root's public signing key, set once (src/domain/root.ts). */
  root: z.optional(z.string().check(z.maxLength(200))),
});

/**
 * How long an unused enrollment code works, in minutes: what the coordinator chooses within these
 * bounds, an hour when they say nothing. A code left over from an enrollment that never finished is
 * a way in for whoever finds it, so it should not outlive the visit it was made for.
 */
export const CODE_EXPIRY_MINUTES = { usual: 60, shortest: 5, longest: 24 * 60 } as const;

/** `POST /api/v1/enrollment-codes` (coordinators): a one-time code for one more device. */
export const enrollmentCodeRequestSchema = z.object({
  role: z.enum(ROLES),
  expiresInMinutes: z.optional(z.int().check(z.minimum(CODE_EXPIRY_MINUTES.shortest), z.maximum(CODE_EXPIRY_MINUTES.longest))),
});

export const enrollmentCodeResponseSchema = z.object({
  code: z.string(),
  role: z.enum(ROLES),
  /** ms since the Unix epoch; the code works once, before then. */
  expiresAt: z.number(),
  /** `<origin>/enroll#code=<code>`: shown as a QR code and as text. */
  link: z.string(),
});
export type EnrollmentCodeResponse = z.infer<typeof enrollmentCodeResponseSchema>;

/**
 * `GET /api/v1/devices` (coordinators): every enrolled device, revoked ones included. Here, as in the
 * other answers that name a device, `device` is unchecked text, as it always was; a device id is
 * checked where one is taken for an op's author or a roster entry.
 */
export const enrolledDeviceSchema = z.object({
  device: z.string(),
  role: z.enum(ROLES),
  enrolledAt: z.number(),
  revokedAt: z.nullable(z.number()),
  /** The highest deviceSeq the server decided without a gap. */
  watermark: z.int(),
  /** The public keys the device sent when it enrolled, if any. */
  keys: z.optional(z.record(z.string(), z.string())),
  /** A revoked device's cut-off: its last `deviceSeq` the base had taken when it was revoked. */
  cutoff: z.optional(z.int().check(z.minimum(0))),
});
export type EnrolledDevice = z.infer<typeof enrolledDeviceSchema>;
export const devicesResponseSchema = z.object({ devices: z.array(enrolledDeviceSchema) });

/** `POST /api/v1/token/rotate`: the device's new token, which replaces the old one at its first use. */
export const tokenRotateResponseSchema = z.object({ token: z.string().check(z.regex(/^[A-Za-z0-9_-]{22,128}$/)), device: z.string() });

/**
 * `POST /api/v1/devices/:device/revoke` (coordinators), with no body or with a `cutoff` below the
 * last `deviceSeq` the base took (a phone reported stolen late): ops above it stop counting.
 */
export const revokeRequestSchema = z.strictObject({ cutoff: z.optional(z.int().check(z.minimum(0))) });
export const revokeResponseSchema = z.object({ device: z.string(), revokedAt: z.number(), cutoff: z.optional(z.int()) });
