/**
 * Which built files a phone loads before the report list shows: the entry chunk, every chunk it
 * imports statically (not the lazy screens), and the catalog of the language in use.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

export async function initialChunks(dist: string, lang: 'ar' | 'en'): Promise<string[]> {
  const assets = path.join(dist, 'assets');
  const html = await readFile(path.join(dist, 'index.html'), 'utf8');
  const entry = /<script type="module"[^>]*src="\/assets\/([^"]+\.js)"/.exec(html)?.[1];
  if (!entry) throw new Error(`No module script in ${dist}/index.html: run npm run build first.`);
  const seen = new Set<string>();
  const visit = async (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = await readFile(path.join(assets, file), 'utf8');
    // Static imports only: `import ... from "./x.js"` or `import "./x.js"`; import("./x.js") is lazy.
    for (const m of code.matchAll(/(?:^|[;}\s])import(?:[^"'();]*?from)?\s*["']\.\/([^"']+\.js)["']/g)) await visit(m[1]!);
  };
  await visit(entry);
  const catalog = (await readdir(assets)).find((f) => f.startsWith(`${lang}-`) && f.endsWith('.js'));
  if (catalog) seen.add(catalog);
  return [...seen].map((f) => path.join(assets, f));
}
