/**
 * Starts the real server (`tsx src/server/main.ts`, as `npm start` would after its build) on a free
 * port for the e2e project, on a fresh store in a temp folder (removed afterwards), and hands its
 * address and the new store's first coordinator code to the tests through `inject(...)`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the server under test listens, e.g. `http://127.0.0.1:41234`, without a trailing slash. */
    baseUrl: string;
    /**
     * The one-time code of the new store's first coordinator link. Open `${baseUrl}/enroll#code=${code}`:
     * the printed link names localhost, another origin than baseUrl's 127.0.0.1 for the browser.
     */
    firstCoordinatorCode: string;
  }
}

const STARTUP_LIMIT_MS = 30_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Each run gets a store of its own: never the developer's ./data, nor another run's.
  const dataDir = mkdtempSync(join(tmpdir(), 'rasid-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', RASID_DATA: dataDir };
  // A new SQLite store over plain HTTP, whatever the caller's environment says.
  for (const name of ['DATABASE_URL', 'PUBLIC_ORIGIN', 'TLS_CERT', 'TLS_KEY']) delete env[name];
  const server = spawn('node_modules/.bin/tsx', ['src/server/main.ts'], {
    cwd: project.config.root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const { baseUrl, firstCoordinatorCode } = await readAddress(server);
    project.provide('baseUrl', baseUrl);
    project.provide('firstCoordinatorCode', firstCoordinatorCode);
  } catch (error) {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  // Errors the server reports while tests run belong in the test output.
  server.stderr?.pipe(process.stderr);
  return async () => {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  };
}

function readAddress(server: ChildProcess): Promise<{ baseUrl: string; firstCoordinatorCode: string }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      server.kill('SIGKILL');
      reject(new Error(`The server printed no address within ${STARTUP_LIMIT_MS} ms.\n${stdout}${stderr}`));
    }, STARTUP_LIMIT_MS);
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    server.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /Rasid is running at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        // A new store prints its first coordinator link before the address.
        const code = /\/enroll#code=([A-Za-z0-9_-]+)/.exec(stdout)?.[1];
        if (!code) reject(new Error(`The new store printed no first coordinator link.\n${stdout}`));
        else resolve({ baseUrl: match[1].replace(/\/$/, ''), firstCoordinatorCode: code });
      }
    });
    server.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The server exited with code ${code} before listening (was dist/ built?).\n${stderr}`));
    });
  });
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  const killer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}
