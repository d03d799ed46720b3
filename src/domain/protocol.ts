/**
 * The bodies of the base's other endpoints: enrollment, the deployment key, enrollment codes,
 * devices and token rotation. Shared by the app (which sends and reads them) and the server (which
 * checks them); docs/protocol.md describes them for people. Sync's bodies are in op/sync.ts.
 */
import { z } from 'zod/mini';
import { SUITES } from './crypto/algorithms.ts';
import { parsePublicKeyText } from './crypto/public-key-text.ts';
import { deviceIdSchema } from './id-schemas.ts';
import { wireOpSchema } from './op/wire.ts';
import { codecsSchema } from './op/sync.ts';
import { ROLES } from './roles.ts';

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
  /** The body codecs the device opens, as in sync. */
  codecs: z.optional(codecsSchema),
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

/** An enrollment code's public id (never the code itself): 12 base64url characters. */
export const codeIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{12}$/));

export const enrollmentCodeResponseSchema = z.object({
  code: z.string(),
  /** The code's public id; `GET /devices` names it for the device that used the code. Absent from older bases. */
  codeId: z.optional(codeIdSchema),
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
/** A day as `YYYY-MM-DD`, in UTC: what the base says of when, where a time would say too much. */
const isoDateSchema = z.iso.date();

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
  /** The UTC date of its last authenticated request to the base; absent before its first (and from older bases). */
  lastContactDate: z.optional(isoDateSchema),
  /** The UTC date the base received its latest op (the highest `deviceSeq`), directly or relayed; absent before its first. */
  lastOpDate: z.optional(isoDateSchema),
  /** The id of the enrollment code it used (`codeId`), so a desk can name it as the code's maker did; absent for devices enrolled before codes had ids. */
  enrollmentCode: z.optional(codeIdSchema),
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
