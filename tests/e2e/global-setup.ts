/**
 * Starts the real server (`tsx src/server/main.ts`, as `npm start` would after its build) on a free
 * port for the e2e project, and hands its address to the tests through `inject('baseUrl')`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the server under test listens, e.g. `http://127.0.0.1:41234`, without a trailing slash. */
    baseUrl: string;
  }
}

const STARTUP_LIMIT_MS = 30_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = spawn('node_modules/.bin/tsx', ['src/server/main.ts'], {
    cwd: project.config.root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  project.provide('baseUrl', await readAddress(server));
  // Errors the server reports while tests run belong in the test output.
  server.stderr?.pipe(process.stderr);
  return () => stop(server);
}

function readAddress(server: ChildProcess): Promise<string> {
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
        resolve(match[1].replace(/\/$/, ''));
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
