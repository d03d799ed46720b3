/** An in-page part of the benchmark (tests/bench/browser/*.ts), bundled with Vite into one script's text. */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';

/**
 * The entry's script, and the scripts of the workers it starts (as the app's sync starts one to
 * open pages), by the path the script asks for them at.
 */
export async function bundleWithWorkers(entry: string): Promise<{ code: string; workers: Map<string, string> }> {
  const out = await mkdtemp(path.join(tmpdir(), 'rasid-bench-'));
  await build({
    configFile: false,
    logLevel: 'silent',
    build: { outDir: out, emptyOutDir: true, minify: true, lib: { entry, formats: ['es'], fileName: 'bench' } },
  });
  const file = (await readdir(out)).find((f) => f.endsWith('.js'))!;
  const code = await readFile(path.join(out, file), 'utf8');
  const assets = (await readdir(path.join(out, 'assets')).catch(() => [])).filter((f) => f.endsWith('.js'));
  const workers = new Map(
    await Promise.all(assets.map(async (f) => [`/assets/${f}`, await readFile(path.join(out, 'assets', f), 'utf8')] as const)),
  );
  await rm(out, { recursive: true, force: true });
  return { code, workers };
}

export async function bundle(entry: string): Promise<string> {
  return (await bundleWithWorkers(entry)).code;
}
