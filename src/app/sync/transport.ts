/**
 * The one way sync talks to the base: `POST /api/v1/sync` with the device's token as a Bearer
 * credential (never in a URL, never logged), the request gzip-compressed with CompressionStream.
 * `fetch` is passed in: the app gives the browser's, tests give one that calls the server app in
 * the same process. Failures become a SyncError with a code the UI turns into words.
 */
import { syncResponseSchema, type SyncRequest, type SyncResponse } from '../../domain/op/sync.ts';

export type Fetch = (input: string, init: RequestInit) => Promise<Response>;
export type SyncTransport = (request: SyncRequest) => Promise<SyncResponse>;

/** Why a sync failed, as catalog keys. */
export const SYNC_ERRORS = {
  network: 'sync.err.network',
  unauthorized: 'sync.err.unauthorized',
  forbidden: 'sync.err.forbidden',
  server: 'sync.err.server',
  rejected: 'sync.err.rejected',
  badResponse: 'sync.err.badResponse',
  notEnrolled: 'sync.err.notEnrolled',
  /** This device's keys did not load: nothing is sent, since ops would leave unsealed. */
  keys: 'sync.err.keys',
} as const;
export type SyncErrorCode = (typeof SYNC_ERRORS)[keyof typeof SYNC_ERRORS];

export class SyncError extends Error {
  constructor(
    readonly code: SyncErrorCode,
    readonly status?: number,
    /** How long the base asked the device to wait (its Retry-After, on a 429 or 503), in ms. */
    readonly retryAfterMs?: number,
    /** The base's own error code on a 409 (`keys_first`...), for a caller that has words for it. */
    readonly baseCode?: string,
  ) {
    super(code);
  }
  /** Worth trying again later by itself: a lost connection, a base in trouble or keys that did not load, not a revoked token. */
  get transient(): boolean {
    return (
      this.code === SYNC_ERRORS.network ||
      this.code === SYNC_ERRORS.server ||
      this.code === SYNC_ERRORS.badResponse ||
      this.code === SYNC_ERRORS.keys
    );
  }
}

export async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export interface Endpoint {
  /** The deployment's one origin, e.g. `https://base.example.org`, without a trailing slash. */
  origin: string;
  token: string;
  fetch: Fetch;
}

/** Longest wait a Retry-After may impose: a wrong header must not silence a phone for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Retry-After in seconds or as an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** A 409 names the state that refused the request; its answer is the API's small error body. */
const MAX_ERROR_BODY_CHARS = 4096;

async function errorFor(res: Response): Promise<SyncError> {
  const status = res.status;
  if (status === 409) {
    const text = await res.text().catch(() => '');
    let code: unknown;
    try {
      code = text.length <= MAX_ERROR_BODY_CHARS ? (JSON.parse(text) as { error?: { code?: unknown } }).error?.code : undefined;
    } catch {
      code = undefined;
    }
    return new SyncError(SYNC_ERRORS.rejected, status, undefined, typeof code === 'string' ? code : undefined);
  }
  await res.body?.cancel().catch(() => undefined);
  if (status === 401) return new SyncError(SYNC_ERRORS.unauthorized, status);
  if (status === 403) return new SyncError(SYNC_ERRORS.forbidden, status);
  if (status >= 500 || status === 429 || status === 408)
    return new SyncError(SYNC_ERRORS.server, status, retryAfterMs(res.headers.get('Retry-After'), Date.now()));
  return new SyncError(SYNC_ERRORS.rejected, status);
}

/** An authenticated JSON call to the base; `body` undefined makes a GET, a body a POST unless `method` says otherwise. */
export async function callApi(endpoint: Endpoint, path: string, body?: unknown, compress = false, method?: 'PUT'): Promise<unknown> {
  const headers: Record<string, string> = { Authorization: `Bearer ${endpoint.token}`, Accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    const text = JSON.stringify(body);
    if (compress) {
      headers['Content-Encoding'] = 'gzip';
      payload = await gzip(text);
    } else payload = text;
  }
  let res: Response;
  try {
    res = await endpoint.fetch(`${endpoint.origin}${path}`, {
      method: method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body: payload,
      cache: 'no-store',
    });
  } catch {
    throw new SyncError(SYNC_ERRORS.network);
  }
  if (!res.ok) throw await errorFor(res);
  try {
    return await res.json();
  } catch {
    throw new SyncError(SYNC_ERRORS.badResponse, res.status);
  }
}

export function httpTransport(endpoint: Endpoint): SyncTransport {
  return async (request) => {
    const json = await callApi(endpoint, '/api/v1/sync', request, true);
    const parsed = syncResponseSchema.safeParse(json);
    if (!parsed.success) throw new SyncError(SYNC_ERRORS.badResponse);
    return parsed.data;
  };
}
