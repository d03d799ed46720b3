/**
 * The server's configuration, from the environment, shared by `npm start` (main.ts) and
 * `npm run coordinator-link`, so both open the same store and write links with the same origin.
 *
 *   PORT (8080), HOST (localhost)        where to listen
 *   DATABASE_URL                         PostgreSQL (photos' blobs too); else SQLite in
 *                                        RASID_DATA (./data), photos' blobs in its blobs/
 *   RASID_DATA (./data)                  also where `--demo` writes the demo's key files
 *   TLS_CERT, TLS_KEY                    PEM files: serve HTTPS
 *   PUBLIC_ORIGIN                        the deployment's one origin, in enrollment links;
 *                                        default http(s)://localhost:<port>
 *   RASID_DIST                           the built app (default: dist/ beside src/)
 *   RATE_LIMIT_PER_MINUTE (600)          API requests per device
 *   ENROLL_RATE_LIMIT_PER_MINUTE (30)    enrollments and refused tokens per client address
 *   TRUST_PROXY (unset)                  1: the client address is the last X-Forwarded-For entry
 *   HEADERS_TIMEOUT_SECONDS (30)         a request's headers must be in within this
 *   BODY_IDLE_TIMEOUT_SECONDS (30)       a request body may bring no byte for this long
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TransportLimits } from './http/transport.ts';
import type { OpenStoreOptions } from './store/index.ts';

export class ConfigError extends Error {}

export function readPort(env: NodeJS.ProcessEnv): number {
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PORT must be a whole number from 0 to 65535, not "${env.PORT}".`);
  return port;
}

export function readStoreOptions(env: NodeJS.ProcessEnv): OpenStoreOptions {
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) throw new ConfigError('DATABASE_URL must be a postgres:// or postgresql:// URL.');
    return { databaseUrl: env.DATABASE_URL };
  }
  return { dataDir: readDataFolder(env) };
}

/** The data folder: the SQLite store's, and where `--demo` writes its key files, beside a PostgreSQL store too. */
export function readDataFolder(env: NodeJS.ProcessEnv): string {
  return env.RASID_DATA || './data';
}

/** Whether HTTPS is asked for: both TLS_CERT and TLS_KEY, or neither. */
export function wantsTls(env: NodeJS.ProcessEnv): boolean {
  if (Boolean(env.TLS_CERT) !== Boolean(env.TLS_KEY)) throw new ConfigError('Set both TLS_CERT and TLS_KEY (PEM file paths), or neither.');
  return Boolean(env.TLS_CERT);
}

export function readTls(env: NodeJS.ProcessEnv): { cert: Buffer; key: Buffer } | undefined {
  if (!wantsTls(env)) return undefined;
  const read = (name: 'TLS_CERT' | 'TLS_KEY') => {
    try {
      return readFileSync(env[name]!);
    } catch (error) {
      throw new ConfigError(`${name} (${env[name]}) cannot be read: ${(error as Error).message}`);
    }
  };
  return { cert: read('TLS_CERT'), key: read('TLS_KEY') };
}

/** PUBLIC_ORIGIN normalised to scheme://host[:port], or undefined when not set. */
export function readPublicOrigin(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.PUBLIC_ORIGIN) return undefined;
  let url: URL;
  try {
    url = new URL(env.PUBLIC_ORIGIN);
  } catch {
    throw new ConfigError(`PUBLIC_ORIGIN must be an origin such as https://rasid.example.org, not "${env.PUBLIC_ORIGIN}".`);
  }
  // The app is served from the root of its origin; a path here would make links to nowhere.
  if (!['http:', 'https:'].includes(url.protocol) || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new ConfigError(`PUBLIC_ORIGIN must be only scheme, host and port (https://rasid.example.org), not "${env.PUBLIC_ORIGIN}".`);
  }
  return url.origin;
}

export function defaultOrigin(tls: boolean, port: number): string {
  return `${tls ? 'https' : 'http'}://localhost:${port}`;
}

/**
 * Devices keep their data per origin, and service workers need a secure context: plain HTTP works
 * only on the phone's own loopback, never across a LAN.
 */
export function insecureOriginWarning(origin: string): string | undefined {
  const url = new URL(origin);
  if (url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return undefined;
  return `Warning: PUBLIC_ORIGIN ${origin} is plain HTTP. Phones will not install or run the app offline from it; see docs/deploy.md.`;
}

export function readDistDir(env: NodeJS.ProcessEnv): string {
  // Relative to this file, not the working directory, so the server starts from anywhere.
  return env.RASID_DIST || fileURLToPath(new URL('../../dist', import.meta.url));
}

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
export const DEFAULT_ENROLL_RATE_LIMIT_PER_MINUTE = 30;

export interface RateLimitConfig {
  perDevice: number;
  perAddress: number;
  trustProxy: boolean;
}

/**
 * A device syncing a large backlog pulls a page per request, so the device limit is generous
 * (10 a second, sustained); enrollment is rare, and guessing codes or tokens is all an address
 * without a token can do, so that limit is tight.
 */
export function readRateLimits(env: NodeJS.ProcessEnv): RateLimitConfig {
  const positive = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError(`${name} must be a whole number of requests a minute, 1 or more, not "${text}".`);
    return value;
  };
  const trust = env.TRUST_PROXY ?? '';
  if (!['', '0', '1'].includes(trust)) throw new ConfigError(`TRUST_PROXY must be 1 (behind a reverse proxy) or 0, not "${trust}".`);
  return {
    perDevice: positive('RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMIT_PER_MINUTE),
    perAddress: positive('ENROLL_RATE_LIMIT_PER_MINUTE', DEFAULT_ENROLL_RATE_LIMIT_PER_MINUTE),
    trustProxy: trust === '1',
  };
}

export const DEFAULT_HEADERS_TIMEOUT_SECONDS = 30;
export const DEFAULT_BODY_IDLE_TIMEOUT_SECONDS = 30;

/**
 * Half a minute for headers (a few hundred bytes) is generous on any link that works at all, and a
 * body silent for half a minute has stalled; a connection held longer by a client that sends
 * nothing is one a hostile client gets for free.
 */
export function readTransportLimits(env: NodeJS.ProcessEnv): TransportLimits {
  const seconds = (name: string, fallback: number): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback * 1000;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > 3600)
      throw new ConfigError(`${name} must be a whole number of seconds from 1 to 3600, not "${text}".`);
    return value * 1000;
  };
  return {
    headersTimeoutMs: seconds('HEADERS_TIMEOUT_SECONDS', DEFAULT_HEADERS_TIMEOUT_SECONDS),
    bodyIdleTimeoutMs: seconds('BODY_IDLE_TIMEOUT_SECONDS', DEFAULT_BODY_IDLE_TIMEOUT_SECONDS),
  };
}
