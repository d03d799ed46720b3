/**
 * `npm run verify-evidence -- FOLDER`: checks an evidence archive from the bag alone
 * (src/export/evidence.ts; docs/verify-evidence.md): its manifests, then every signature and hash,
 * and prints the root's fingerprint for the auditor to compare with a copy obtained apart.
 *
 * Needs nothing of the base, no key file and no network. Exit code 0 when every check holds, 1 when
 * one does not (each said in a sentence), 2 when FOLDER is not given or is not a folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { verifyEvidence, type BagReader } from '../../export/evidence.ts';

const USAGE = 'Usage: npm run verify-evidence -- FOLDER   (the folder `npm run export -- --evidence --out FOLDER` wrote)';

/** Only regular files count: a link in a bag could point anywhere on the auditor's machine. */
function regular(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function isFolder(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function folderReader(root: string): BagReader {
  const at = (path: string) => join(root, ...path.split('/'));
  return {
    files: () => {
      const found: string[] = [];
      const walk = (dir: string) => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) walk(full);
          else found.push(relative(root, full).split(sep).join('/'));
        }
      };
      walk(root);
      return Promise.resolve(found.sort());
    },
    text: (path) => Promise.resolve(regular(at(path)) ? readFileSync(at(path), 'utf8') : undefined),
    digest: async (path) => {
      if (!regular(at(path))) return undefined;
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const piece of createReadStream(at(path)) as AsyncIterable<Buffer>) {
        hash.update(piece);
        bytes += piece.length;
      }
      return { sha256: hash.digest('hex'), bytes };
    },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] === '--help' || argv[0] === '-h') {
    console.error(USAGE);
    return argv[0] === '--help' || argv[0] === '-h' ? 0 : 2;
  }
  const folder = argv[0]!;
  if (!isFolder(folder)) {
    console.error(`${folder} is not a folder. ${USAGE}`);
    return 2;
  }
  const verdict = await verifyEvidence(folderReader(folder));
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (!verdict.ok) {
    console.log(`This bag does NOT verify (${plural(verdict.problems.length, 'problem')}):`);
    for (const problem of verdict.problems) console.log(`- ${problem}`);
  } else {
    console.log(
      `Verified: ${plural(verdict.reports, 'report')}, ${plural(verdict.ops, 'op')} and ${plural(verdict.photos, 'photo')}, every signature and hash, under the root below.`,
    );
  }
  if (verdict.absentPhotos.length > 0) {
    console.log(
      `${plural(verdict.absentPhotos.length, 'photo')} an op adds ${verdict.absentPhotos.length === 1 ? 'is' : 'are'} not in this bag (not at the base when it was made): ${verdict.absentPhotos.join(', ')}.`,
    );
  }
  if (verdict.root) {
    console.log(`Root fingerprint: ${verdict.root.short} (in full: ${verdict.root.fingerprint})`);
    console.log(
      'Compare it with the root fingerprint you obtained apart from this bag (a coordinator\u2019s desk shows it): a bag can be consistent under another root.',
    );
  }
  return verdict.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
