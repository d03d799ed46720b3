/**
 * Enrollment over HTTP. `POST /api/v1/enroll` (no token: the one-time code is the credential)
 * registers a device and answers its token once; `POST /api/v1/enrollment-codes` lets a coordinator
 * make a code, with the link the app shows as a QR code and as text.
 */
import type { Hono } from 'hono';
import {
  deploymentKeyRequestSchema,
  enrollmentCodeRequestSchema,
  enrollRequestSchema,
  type DeploymentKeyResponse,
  type EnrollmentCodeResponse,
  type EnrollResponse,
} from '../../domain/protocol.ts';
import { isRootDeviceId } from '../../domain/root.ts';
import { enrollmentLink, makeEnrollmentCode } from '../enrollment/codes.ts';
import {
  hasDeploymentKeys,
  linkFingerprint,
  readDeploymentKey,
  readDeploymentRoot,
  rootNamedKey,
  rootStatementNaming,
  setDeploymentKey,
  setDeploymentRoot,
} from '../enrollment/deployment-key.ts';
import { enrollDevice, type EnrollFailure } from '../enrollment/enroll.ts';
import type { ApiDeps } from './api.ts';
import { requireCoordinator, requireDevice, type ApiEnv } from './auth.ts';
import { readJsonBody, SMALL_BODY_BYTES } from './body.ts';
import { currentEpoch } from '../store/index.ts';
import { ApiError } from './errors.ts';
import { jsonAnswer } from './json-answer.ts';
import { clientAddress, takeOrRefuse } from './rate-limit.ts';

/** A public key's key id: the first 12 base64url characters of its fingerprint. */
const KEY_ID = /^[A-Za-z0-9_-]{12}$/;

/** An agreement key and a signing key today; a little room for rotation. */
const MAX_KEYS = 8;

const REFUSALS: Record<EnrollFailure, () => ApiError> = {
  code_unknown: () => new ApiError(401, 'code_unknown', 'This enrollment code is not known here; ask a coordinator for a new one.'),
  code_used: () => new ApiError(401, 'code_used', 'This enrollment code was already used; ask a coordinator for a new one.'),
  code_expired: () => new ApiError(401, 'code_expired', 'This enrollment code has expired; ask a coordinator for a new one.'),
  device_enrolled: () => new ApiError(409, 'device_enrolled', 'This device is already enrolled.'),
  device_revoked: () => new ApiError(409, 'device_revoked', 'This device id was revoked; the app must start over under a new device id.'),
  keys_first: () => keysFirst(),
};

/** A monitor before the deployment's root and deployment key: the first coordinator makes them on the Devices screen. */
function keysFirst(): ApiError {
  return new ApiError(
    409,
    'keys_first',
    'This deployment has no root and deployment key yet; a coordinator makes them before any monitor enrolls.',
  );
}

export function enrollRoutes(api: Hono<ApiEnv>, { store, now, random, publicOrigin }: ApiDeps): void {
  api.post('/v1/enroll', async (c) => {
    // Every attempt counts, good or bad: codes are guessed here, from an address, with no token.
    const limits = c.get('limits');
    if (limits?.address) takeOrRefuse(limits.address, clientAddress(c, limits.trustProxy ?? false));
    const request = await readJsonBody(c, enrollRequestSchema, SMALL_BODY_BYTES);
    if (request.keys && Object.keys(request.keys).length > MAX_KEYS) {
      throw new ApiError(400, 'bad_request', `A device sends at most ${MAX_KEYS} public keys.`);
    }
    // The root's ops carry an id of this shape: a device enrolled under one would write as the root.
    if (isRootDeviceId(request.device))
      throw new ApiError(400, 'bad_request', 'Device ids starting with `root-` are the deployment root’s.');
    const outcome = await enrollDevice(store.db, request, { now, random });
    if (!outcome.ok) throw REFUSALS[outcome.reason]();
    const deployment = await readDeploymentKey(store.db);
    const answer: EnrollResponse = {
      token: outcome.token,
      role: outcome.role,
      device: request.device,
      epoch: await currentEpoch(store.db),
    };
    if (deployment) answer.deploymentKey = deployment.key;
    return jsonAnswer(c, answer, 201);
  });

  // A public key: anyone may read it, and a device about to enroll does, to check it against the
  // fingerprint its link carries before it spends the code.
  api.get('/v1/deployment-key', async (c) => {
    const kid = c.req.query('kid');
    if (kid !== undefined) {
      // A past key, after the root rotated it: one the root named, with its statement.
      if (!KEY_ID.test(kid)) throw new ApiError(400, 'bad_request', '`kid` is a key id: 12 base64url characters.');
      const root = await readDeploymentRoot(store.db);
      const named = root && (await rootNamedKey(store.db, root.device, kid));
      if (!root || !named) throw new ApiError(404, 'no_such_key', 'The deployment root named no key with this id.');
      return jsonAnswer(c, { ...named, root: { key: root.key, fingerprint: root.fingerprint } } satisfies DeploymentKeyResponse);
    }
    const key = await readDeploymentKey(store.db);
    if (!key) throw new ApiError(404, 'no_deployment_key', 'This deployment has no key yet; its first coordinator makes it.');
    const root = await readDeploymentRoot(store.db);
    const answer: DeploymentKeyResponse = { ...key };
    if (root) {
      answer.root = { key: root.key, fingerprint: root.fingerprint };
      const statement = await rootStatementNaming(store.db, root.device, key.key);
      if (statement) answer.statement = statement;
    }
    return jsonAnswer(c, answer);
  });

  // The root key first, when it comes: the deployment key is then checked against a root statement.
  api.put('/v1/deployment-key', requireDevice(store.db, now), requireCoordinator, async (c) => {
    const { key, root } = await readJsonBody(c, deploymentKeyRequestSchema, SMALL_BODY_BYTES);
    let created = false;
    let rootKey: DeploymentKeyResponse['root'];
    if (root !== undefined) {
      const set = await setDeploymentRoot(store.db, root);
      if (!set.ok && set.reason === 'invalid')
        throw new ApiError(400, 'bad_key', 'Not a public signing key (`ed25519:` or `p256-ecdsa:` and its base64url bytes).');
      if (!set.ok)
        throw new ApiError(409, 'root_key_set', 'This deployment already has another root key; it is never replaced by this endpoint.');
      created = set.created;
      rootKey = set.key;
    }
    const outcome = await setDeploymentKey(store.db, key);
    if (!outcome.ok && outcome.reason === 'invalid')
      throw new ApiError(400, 'bad_key', 'Not a public agreement key (`x25519:` or `p256-ecdh:` and its base64url bytes).');
    if (!outcome.ok)
      throw new ApiError(409, 'deployment_key_set', 'This deployment already has another key; it is never replaced by this endpoint.');
    return jsonAnswer(c, { ...outcome.key, ...(rootKey && { root: rootKey }) }, outcome.created || created ? 201 : 200);
  });

  api.post('/v1/enrollment-codes', requireDevice(store.db, now), requireCoordinator, async (c) => {
    const { role, expiresInMinutes } = await readJsonBody(c, enrollmentCodeRequestSchema, SMALL_BODY_BYTES);
    // Refused by the base, not only hidden on the desk: any coordinator's client, an old desk
    // included, asks here (decision 055). A coordinator's code is still made: the first coordinator
    // makes the keys, and a second one may enroll before them.
    if (role === 'monitor' && !(await hasDeploymentKeys(store.db))) throw keysFirst();
    const lifetimeMs = expiresInMinutes === undefined ? undefined : expiresInMinutes * 60_000;
    const made = await makeEnrollmentCode(store.db, role, { now, random }, lifetimeMs);
    const answer: EnrollmentCodeResponse = { ...made, link: enrollmentLink(publicOrigin(), made.code, await linkFingerprint(store.db)) };
    return jsonAnswer(c, answer, 201);
  });
}
