/**
 * A real, throwaway PostgreSQL cluster for the store tests: made on a free port with Debian's
 * pg_createcluster, trust authentication on loopback, dropped afterwards. Runs as root (the cluster
 * belongs to the `postgres` user). Missing PostgreSQL is an error, never a skipped test.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';

export interface PostgresCluster {
  /** The cluster's address, without a database: another process may make databases in it (postgresAt). */
  url: string;
  /** A new empty database in the cluster; returns its URL. */
  createDatabase(): Promise<string>;
  stop(): void;
}

/** A cluster another process started, at its `url`: databases made in it, and stopping left to its owner. */
export function postgresAt(url: string): PostgresCluster {
  return { url, createDatabase: databaseMaker(url), stop: () => undefined };
}

/** Makes databases in the cluster at `base`, each with a name of its own in this process. */
function databaseMaker(base: string): () => Promise<string> {
  const prefix = `t${process.pid}_`;
  let n = 0;
  return async () => {
    const db = `${prefix}${++n}`;
    const admin = new pg.Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      await admin.query(`create database ${db}`);
    } finally {
      await admin.end();
    }
    return `${base}/${db}`;
  };
}

/**
 * Empties a database by dropping and recreating its `public` schema: a fresh store for the next
 * test in about a tenth of what CREATE DATABASE takes here (it copies the whole template).
 */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('drop schema public cascade; create schema public');
  } finally {
    await client.end();
  }
}

const PG_LIB = '/usr/lib/postgresql';

function installedVersion(): string {
  const versions = existsSync(PG_LIB) ? readdirSync(PG_LIB).filter((v) => existsSync(`${PG_LIB}/${v}/bin/postgres`)) : [];
  if (!existsSync('/usr/bin/pg_createcluster') || versions.length === 0) {
    throw new Error('PostgreSQL server is not installed (apt-get install postgresql): the store tests need a real cluster');
  }
  return versions.sort((a, b) => Number(b) - Number(a))[0]!;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startPostgres(): Promise<PostgresCluster> {
  const version = installedVersion();
  const name = `rasid_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const port = await freePort();
  // fsync off: these clusters live for one test file; durability is tested on SQLite. Not waited
  // for synchronously: making a cluster takes seconds, in which the process could do nothing else.
  await promisify(execFile)('pg_createcluster', [
    version,
    name,
    '-p',
    String(port),
    '-o',
    'fsync=off',
    '-o',
    'full_page_writes=off',
    '--start',
    '--',
    '--auth=trust',
    '--no-sync',
  ]);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    execFileSync('pg_dropcluster', [version, name, '--stop'], { stdio: 'pipe' });
  };
  // If the test process dies before afterAll, do not leave a server running.
  process.once('exit', stop);

  const url = `postgresql://postgres@127.0.0.1:${port}`;
  return {
    url,
    createDatabase: databaseMaker(url),
    stop() {
      process.removeListener('exit', stop);
      stop();
    },
  };
}
