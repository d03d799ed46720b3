/**
 * `npm start -- --demo` as a real process: the demo lines with its key files written to the data
 * folder, the first coordinator link pinning the demo root, the address last; never twice on one store.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openKeyFile } from '../../../src/domain/crypto/key-file.ts';
import { DEMO_KEY_FILE, DEMO_KEY_PASSPHRASE, DEMO_ROOT_FILE, DEMO_ROOT_PASSPHRASE } from '../../../src/server/demo/demo-keys.ts';
import { REPO_ROOT, stubDist } from '../http/process.ts';

const dir = mkdtempSync(join(tmpdir(), 'rasid-demo-start-'));
const dist = stubDist(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs main.ts with args until it prints its address (then stops it) or exits on its own. */
function run(args: string[], data: string): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', RASID_DIST: dist, RASID_DATA: data },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    if (/Rasid is running at \S+\n/.test(stdout)) child.kill('SIGTERM');
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ stdout, stderr, code })));
}

describe('npm start -- --demo', () => {
  const data = join(dir, 'data');

  it('fills the new store, then prints the first coordinator link and, last, the address', async () => {
    const { stdout, stderr } = await run(['--demo'], data);
    expect(stderr).toBe('');
    const lines = stdout.trimEnd().split('\n');
    // The scenario ends at the moment the server starts, so the exact count may differ by a report or two.
    const filled = /^Filled this new base with demo data: (\d+) reports from 8 devices\. Every report in it is invented\.$/.exec(lines[0]!);
    expect(Number(filled?.[1])).toBeGreaterThanOrEqual(250);
    // The demo's files, in the data folder, named with their passphrases, which are the demo's only.
    for (const [name, passphrase] of [
      [DEMO_KEY_FILE, DEMO_KEY_PASSPHRASE],
      [DEMO_ROOT_FILE, DEMO_ROOT_PASSPHRASE],
    ] as const) {
      expect(lines).toContain(`  ${name}  passphrase: ${passphrase}`);
      expect(statSync(join(data, name)).mode & 0o777).toBe(0o600);
    }
    expect(stdout).toContain(`are in ${data}:`);
    expect(stdout).toMatch(/^DEMO ONLY: /m);
    // The first coordinator's link pins the demo root, as every link of a deployment with keys does.
    const root = (JSON.parse(readFileSync(join(data, DEMO_ROOT_FILE), 'utf8')) as { fingerprint: string }).fingerprint;
    const key = await openKeyFile(JSON.parse(readFileSync(join(data, DEMO_KEY_FILE), 'utf8')), DEMO_KEY_PASSPHRASE);
    expect(key.ok).toBe(true);
    expect(stdout).toMatch(new RegExp(`^ {2}http://localhost:\\d+/enroll#code=[A-Za-z0-9_-]+&fp=${root}$`, 'm'));
    expect(lines.at(-1)).toMatch(/^Rasid is running at http:\/\/127\.0\.0\.1:\d+$/);
  }, 60_000);

  it('refuses a store that already holds ops, with exit code 2 and no stack trace', async () => {
    const { stdout, stderr, code } = await run(['--demo'], data);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim()).toMatch(/^This store already holds reports, so --demo will not fill it/);
    expect(stderr).not.toMatch(/\bat \S+:\d+/);
  }, 60_000);

  it('names an unknown option instead of ignoring it', async () => {
    const { stderr, code } = await run(['--dmeo'], join(dir, 'other'));
    expect(code).toBe(1);
    expect(stderr.trim()).toBe('Unknown option --dmeo; the only option is --demo (fill a new store with invented reports).');
  }, 60_000);
});
