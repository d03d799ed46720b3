/**
 * Starts the real server (`tsx src/server/main.ts`, as `npm start` would after its build) on a free
 * port, on a fresh store in a temp folder that `stop()` removes. Used by global-setup.ts for the
 * shared server, and by tests that need a base of their own (the desk's, filled with `--demo`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STARTUP_LIMIT_MS = 60_000;

export interface ServerProcess {
  /** e.g. `http://127.0.0.1:41234`, without a trailing slash. */
  baseUrl: string;
  /** The one-time code of the new store's first coordinator link ('' for a store the caller made). */
  firstCoordinatorCode: string;
  /**
   * That link from its path on (`/enroll#code=...`), with the fingerprint it pins when the store
   * already has keys (a demo base's); '' for a store the caller made.
   */
  firstCoordinatorLink: string;
  /** Everything the process printed to standard output up to its address. */
  stdout: string;
  /** Where its SQLite store lives (removed by `stop`). */
  dataDir: string;
  /** The process started (tsx, which runs the server in a child of its own). */
  pid: number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** The project root (where src/ is); the current directory when not given. */
  root?: string;
  /** Arguments after `src/server/main.ts`, e.g. ['--demo']. */
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /**
   * A fixed port instead of a free one: a phone keeps its base's origin from enrollment, so a phone
   * rebuilt from a kept profile needs its base where it was.
   */
  port?: number;
  /** A store the caller made (a kept one, restored); `stop` removes it too. It prints no first link. */
  dataDir?: string;
  /** A PostgreSQL store instead of SQLite in `dataDir`. */
  databaseUrl?: string;
}

export async function startServer(opts: ServerOptions = {}): Promise<ServerProcess> {
  // Each server gets a store of its own: never the developer's ./data, nor another run's.
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'rasid-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env, PORT: String(opts.port ?? 0), HOST: '127.0.0.1', RASID_DATA: dataDir };
  // A new SQLite store over plain HTTP, whatever the caller's environment says.
  for (const name of ['DATABASE_URL', 'PUBLIC_ORIGIN', 'TLS_CERT', 'TLS_KEY']) delete env[name];
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  const server = spawn('node_modules/.bin/tsx', ['src/server/main.ts', ...(opts.args ?? [])], {
    cwd: opts.root ?? process.cwd(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cleanUp = async () => {
    await stop(server);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const started = await readAddress(server, opts.dataDir === undefined);
    // Errors the server reports while tests run belong in the test output.
    server.stderr?.pipe(process.stderr);
    return { ...started, dataDir, pid: server.pid!, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

function readAddress(server: ChildProcess, newStore: boolean): Promise<Omit<ServerProcess, 'stop' | 'dataDir' | 'pid'>> {
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
        const link = /\/enroll#code=([A-Za-z0-9_-]+)(&fp=[A-Za-z0-9_-]+)?/.exec(stdout);
        const code = link?.[1];
        if (!code && newStore) reject(new Error(`The new store printed no first coordinator link.\n${stdout}`));
        else
          resolve({
            baseUrl: match[1].replace(/\/$/, ''),
            firstCoordinatorCode: code ?? '',
            firstCoordinatorLink: link?.[0] ?? '',
            stdout,
          });
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
