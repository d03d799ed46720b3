/**
 * Entry point of `npm start`: serves the built app and the API on one origin.
 *
 * Prints one line with the address once listening; tests read that line to find a port chosen with
 * PORT=0, so it must stay the only line printed on success.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';

interface ServerConfig {
  port: number;
  host: string;
  distDir: string;
}

function readConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`PORT must be a whole number from 0 to 65535, not "${env.PORT}".`);
  }
  // Relative to this file, not the working directory, so the server starts from anywhere.
  const distDir = fileURLToPath(new URL('../../dist', import.meta.url));
  if (!existsSync(`${distDir}/index.html`)) {
    fail(`The built app is missing (${distDir}/index.html). Run \`npm run build\` first.`);
  }
  return { port, host: env.HOST || 'localhost', distDir };
}

function listen(config: ServerConfig): void {
  const app = createApp({ distDir: config.distDir });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => {
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    console.log(`Rasid is running at http://${host}:${info.port}`);
  });
  server.on('error', (err: NodeJS.ErrnoException) => {
    fail(err.code === 'EADDRINUSE' ? `Port ${config.port} is already in use; set PORT to another one.` : err.message);
  });

  const stop = () => {
    server.close(() => process.exit(0));
    // A client holding a connection open must not keep the process alive forever.
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

listen(readConfig(process.env));
