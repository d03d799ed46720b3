/** An in-page part of the benchmark (tests/bench/browser/*.ts), bundled with Vite into one script's text. */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';

export async function bundle(entry: string): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'rasid-bench-'));
  await build({
    configFile: false,
    logLevel: 'silent',
    build: { outDir: out, emptyOutDir: true, minify: true, lib: { entry, formats: ['es'], fileName: 'bench' } },
  });
  const file = (await readdir(out)).find((f) => f.endsWith('.js'))!;
  const code = await readFile(path.join(out, file), 'utf8');
  await rm(out, { recursive: true, force: true });
  return code;
}
