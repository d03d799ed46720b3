/**
 * The real server as a child process: `node --import tsx src/server/main.ts`, one process (not the
 * tsx wrapper, which would survive a SIGKILL sent to it and leave the server running). Reads the
 * address from the last line it prints, and the first coordinator link printed before it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, type AgreementKeyPair, type SigningKeyPair } from '../../../src/domain/crypto/keys.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const STARTUP_LIMIT_MS = 30_000;

export interface ServerProcess {
  url: string;
  /** The first coordinator link, when this start made the store. */
  firstLink: string | undefined;
  child: ChildProcess;
  /** Everything printed so far, both streams. */
  output(): string;
  exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** A stand-in for dist/: the server refuses to start without a built app, which these tests do not need. */
export function stubDist(dir: string): string {
  const dist = join(dir, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Rasid</title>');
  return dist;
}

export function runScript(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const child = runScript('src/server/main.ts', { PORT: '0', HOST: '127.0.0.1', ...env });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The server printed no address within ${STARTUP_LIMIT_MS} ms.\n${output}`));
    }, STARTUP_LIMIT_MS);
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /Rasid is running at (https?:\/\/\S+)\n/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        firstLink: /^ {2}(https?:\/\/\S+\/enroll#code=\S+)$/m.exec(output)?.[1],
        child,
        output: () => output,
        exited,
        async kill(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The server exited (${signal ?? `code ${code}`}) before listening.\n${output}`));
    });
  });
}

/** Runs a script to its end; resolves with its exit code and output. */
export function runToEnd(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = runScript(script, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * The deployment's root and deployment key, set by a coordinator as its desk sets them: until then
 * the base makes no monitor code (decision 055).
 */
export async function makeKeys(url: string, coordinatorToken: string): Promise<{ root: SigningKeyPair; deployment: AgreementKeyPair }> {
  const [root, deployment] = await Promise.all([generateKeyPair('ed25519'), generateKeyPair('x25519')]);
  const res = await fetch(`${url}/api/v1/deployment-key`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${coordinatorToken}` },
    body: JSON.stringify({ key: deployment.publicKey.text, root: root.publicKey.text }),
  });
  if (res.status !== 201) throw new Error(`deployment-key answered ${res.status}: ${await res.text()}`);
  return { root, deployment };
}
