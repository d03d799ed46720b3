/**
 * Entry point of `npm start`: opens the op store (running its migrations), then serves the built
 * app and the API on one origin, over HTTPS when given a certificate.
 *
 * The last line printed is `Rasid is running at <url>`, once listening; tests read it to find a
 * port chosen with PORT=0. Before it, only when the store is new, comes the link that makes the
 * first coordinator. Nothing else is printed on success: no requests, tokens or addresses.
 * With `--demo`, lines saying the new store was filled with invented reports come first, with where
 * the demo's key files were written and their printed demo passphrases.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { cryptoRandom, type Fingerprint } from '../domain/ids.ts';
import { createApp } from './app.ts';
import { BLOB_FOLDER_NAME, folderBytes } from './blobs/folder-bytes.ts';
import {
  ConfigError,
  defaultOrigin,
  insecureOriginWarning,
  readDataFolder,
  readDistDir,
  readPort,
  readPublicOrigin,
  readRateLimits,
  readStoreOptions,
  readTls,
  readTransportLimits,
} from './config.ts';
import {
  claimFirstCoordinatorCode,
  DEFAULT_CODE_LIFETIME_MS,
  enrollmentLink,
  lifetimeText,
  type EnrollmentCode,
} from './enrollment/codes.ts';
import { linkFingerprint } from './enrollment/deployment-key.ts';
import { syncApi } from './http/api.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { guardTransport, transportServerOptions } from './http/transport.ts';
import { DemoRefused, demoMessage, saveDemoFiles, seedDemo } from './demo/seed.ts';
import { openStore, type Store } from './store/index.ts';

/** `--demo`: fill the new store with invented reports before listening (npm appends it to `npm start -- --demo`). */
function readArgs(args: readonly string[]): { demo: boolean } {
  const unknown = args.filter((a) => a !== '--demo');
  if (unknown.length > 0)
    throw new ConfigError(`Unknown option ${unknown[0]}; the only option is --demo (fill a new store with invented reports).`);
  return { demo: args.includes('--demo') };
}

async function start(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<void> {
  const { demo } = readArgs(args);
  const port = readPort(env);
  const host = env.HOST || 'localhost';
  const distDir = readDistDir(env);
  if (!existsSync(`${distDir}/index.html`))
    throw new ConfigError(`The built app is missing (${distDir}/index.html). Run \`npm run build\` first.`);
  const tls = readTls(env);
  let origin = readPublicOrigin(env);
  const storeOptions = readStoreOptions(env);
  const rates = readRateLimits(env);
  const transport = readTransportLimits(env);

  let store: Store;
  try {
    store = await openStore(storeOptions);
  } catch (error) {
    const cause = (error as Error).cause instanceof Error ? ` (${((error as Error).cause as Error).message})` : '';
    throw new ConfigError(`The store could not be opened: ${(error as Error).message}${cause}`);
  }
  const deps = { now: Date.now, random: cryptoRandom };
  if (demo) {
    const seeded = await seedDemo(store, { now: Date.now() });
    const folder = resolve(readDataFolder(env));
    saveDemoFiles(folder, seeded);
    console.log(demoMessage(seeded, folder));
  }
  // Claimed before listening: a store no process has claimed is new, and exactly one process claims it.
  const firstCode = await claimFirstCoordinatorCode(store.db, deps);
  // Only a demo base has keys this early; its first coordinator's link pins its root as any link would.
  const pinned = firstCode && (await linkFingerprint(store.db));

  const limits = {
    device: new RateLimiter(rates.perDevice, Date.now),
    address: new RateLimiter(rates.perAddress, Date.now),
    trustProxy: rates.trustProxy,
  };
  // Beside the embedded store, blobs live in its folder; with PostgreSQL, in the database every process shares.
  const blobBytes = storeOptions.dataDir ? folderBytes(join(storeOptions.dataDir, BLOB_FOLDER_NAME)) : undefined;
  const app = createApp({
    distDir,
    tls: Boolean(tls),
    apiRoutes: syncApi({ store, ...deps, publicOrigin: () => origin!, limits, blobBytes }),
  });
  const scheme = tls ? 'https' : 'http';
  const server = serve(
    {
      fetch: app.fetch,
      port,
      hostname: host,
      serverOptions: { ...transportServerOptions(transport), ...(tls ? { cert: tls.cert, key: tls.key } : {}) },
      ...(tls ? { createServer: createHttpsServer } : {}),
    },
    (info: AddressInfo) => {
      origin ??= defaultOrigin(Boolean(tls), info.port);
      const warning = insecureOriginWarning(origin);
      if (warning) console.error(warning);
      if (firstCode) console.log(firstLinkMessage(origin, firstCode, pinned));
      const shownHost = host.includes(':') ? `[${host}]` : host;
      console.log(`Rasid is running at ${scheme}://${shownHost}:${info.port}`);
    },
  );
  guardTransport(server as Server, transport, { tls: Boolean(tls) });
  // Node hands CONNECT (proxy tunnels) to this event and, with no listener, drops the connection
  // unanswered; this is no proxy, so say so plainly.
  server.on('connect', (_req: unknown, socket: Duplex) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    fail(err.code === 'EADDRINUSE' ? `Port ${port} is already in use; set PORT to another one.` : err.message);
  });

  const stop = () => {
    server.close(() => {
      void store.close().finally(() => process.exit(0));
    });
    // A client holding a connection open must not keep the process alive forever.
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function firstLinkMessage(origin: string, code: EnrollmentCode, pinned: Fingerprint | undefined): string {
  return [
    "This is a new Rasid store. Open this link on the first coordinator's device",
    `within ${lifetimeText(DEFAULT_CODE_LIFETIME_MS)}; it works once:`,
    '',
    `  ${enrollmentLink(origin, code.code, pinned)}`,
    '',
    'Lost it, or need another coordinator? Run `npm run coordinator-link`.',
  ].join('\n');
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

start(process.env, process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof DemoRefused) {
    console.error(error.message);
    process.exit(2);
  }
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
});
