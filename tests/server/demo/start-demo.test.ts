/** `npm start -- --demo` as a real process: the demo line, the first coordinator link, the address last; never twice on one store. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
    expect(stdout).toMatch(/^ {2}http:\/\/localhost:\d+\/enroll#code=[A-Za-z0-9_-]+$/m);
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
