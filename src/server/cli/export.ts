/**
 * `npm run export -- --profile NAME --format csv|geojson|json [--aggregate LEVEL] [--small-groups keep|coarsen|drop] [--out FILE] [--key FILE ...] [--allow-missing-keys]`:
 * the desk's export, run at base from the command line. Opens the store the server uses (RASID_DATA
 * or DATABASE_URL, read as config.ts reads them), opens sealed ops with the deployment key files
 * given (one a deployment key: before and after a rotation), merges every report as a desk does,
 * writes the file with the same export core, and records the export in the log the desk shows, on a
 * base whose ops are not sealed (docs/decisions.md, 036, says why a sealed base's log gets no entry
 * from here). Ops sealed to a deployment key of this deployment that no key file holds are counted
 * by key id, and the export is refused unless --allow-missing-keys (docs/decisions.md, 059).
 *
 * Mistakes a person can make (an unknown or unusable profile, a bad format, no store there, a key
 * file that is missing, not one, another deployment's or not opened by the passphrase, a key of the
 * deployment missing) end with a sentence and exit code 2, never a stack trace. The file goes to --out or standard output;
 * everything else is said on standard error, and never a report's contents.
 */
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { cryptoRandom } from '../../domain/ids.ts';
import { AGGREGATE_LEVEL, aggregateFile, aggregateRefusal, MIN_REPORTS_PER_CELL } from '../../export/aggregate.ts';
import type { StoredProfile } from '../../export/desk-settings.ts';
import { exportText } from '../../export/export-file.ts';
import { countSmallGroups } from '../../export/small-groups.ts';
import { countUnplaced } from '../../export/unplaced.ts';
import { INTERNAL_PROFILE, type Profile } from '../../export/profile.ts';
import { ConfigError, readStoreOptions } from '../config.ts';
import { openStore, type OpenStoreOptions, type Store } from '../store/index.ts';
import { SQLITE_FILE_NAME } from '../store/open.ts';
import { deploymentKeysOf } from '../enrollment/deployment-key.ts';
import { holdsSealedOps, readBaseReports, type SealedToMissingKey } from './base-reports.ts';
import { readExportArgs, USAGE, UsageError, wantsHelp, type EvidenceArgs, type ExportArgs } from './export-args.ts';
import { EvidenceRefused, writeEvidenceBag } from './evidence.ts';
import { BLOB_FOLDER_NAME, folderBytes } from '../blobs/folder-bytes.ts';
import { tableBytes } from '../blobs/table-bytes.ts';
import { recordExport } from './export-log.ts';
import { KeyRefused, openKeyFiles, PASSPHRASE_VARIABLE } from './key-file.ts';

/** A mistake the person running the command can fix; its message says how. */
class ExportRefused extends Error {}

/** What standard error says of ops sealed to a deployment key no --key file holds, one sentence a key. */
function unopenedSentences(unopened: readonly SealedToMissingKey[]): string[] {
  return unopened.map(({ kid, reports, settings }) => {
    const counted = [
      ...(reports > 0 ? [`${reports} report${reports === 1 ? '' : 's'}`] : []),
      ...(settings > 0 ? [`${settings} desk setting${settings === 1 ? '' : 's'} (partner profiles, export log entries)`] : []),
    ].join(' and ');
    return `${counted} could not be opened, in whole or in part: ${reports + settings === 1 ? 'its' : 'their'} ops are sealed to the deployment key with key id ${kid} (the start of the fingerprint in its key file), and no --key file holds it.`;
  });
}

/** The key files given, opened; refused when the base holds sealed ops and none was given. */
async function openKeys(store: Store, keys: readonly string[] | undefined, env: NodeJS.ProcessEnv) {
  const ours = await deploymentKeysOf(store.db);
  const deploymentKeys = await openKeyFiles(keys ?? [], ours, { env, input: process.stdin, output: process.stderr });
  const sealedOps = await holdsSealedOps(store.db);
  if (sealedOps && deploymentKeys.length === 0) {
    throw new ExportRefused(
      `This base holds sealed reports: pass --key with the deployment key file, its passphrase in ${PASSPHRASE_VARIABLE} or typed when asked.`,
    );
  }
  return { ours, deploymentKeys, sealedOps };
}

/** The evidence archive: what went in and what could not, said on standard error, never a report's contents. */
async function runEvidence(args: EvidenceArgs, env: NodeJS.ProcessEnv): Promise<void> {
  const options = readStoreOptions(env);
  await requireStore(options);
  const store = await openStore(options);
  try {
    const { deploymentKeys } = await openKeys(store, args.keys, env);
    const blobs =
      options.databaseUrl === undefined ? folderBytes(join(options.dataDir ?? './data', BLOB_FOLDER_NAME)) : tableBytes(store.db);
    const bag = await writeEvidenceBag({
      db: store.db,
      blobs,
      deploymentKeys,
      ...(args.reports && { reports: args.reports }),
      out: args.out,
      now: new Date(),
    });
    const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
    if (bag.unknownReports.length > 0) {
      console.error(
        `This base has no report with the id ${bag.unknownReports.join(', ')}; the archive does not hold ${bag.unknownReports.length === 1 ? 'it' : 'them'}.`,
      );
    }
    if (bag.unverified > 0) {
      console.error(
        `Left out ${plural(bag.unverified, 'op')} that could not be opened with the keys given or verified under the root; the desk lists them under quarantine.`,
      );
    }
    if (bag.beforeRoot > 0) {
      console.error(
        `Left out ${plural(bag.beforeRoot, 'op')} from before the deployment root: they count through a coordinator's vouching, which an archive cannot carry.`,
      );
    }
    if (bag.photosLeftOut.absent > 0) {
      console.error(
        `Left out ${plural(bag.photosLeftOut.absent, 'photo')} not yet at the base: the phone that took ${bag.photosLeftOut.absent === 1 ? 'it' : 'them'} sends ${bag.photosLeftOut.absent === 1 ? 'it' : 'them'} when it next syncs.`,
      );
    }
    if (bag.photosLeftOut.damaged > 0) {
      console.error(
        `Left out ${plural(bag.photosLeftOut.damaged, 'photo')} whose blob at the base does not open to the hash its op signs; the desk marks ${bag.photosLeftOut.damaged === 1 ? 'it' : 'them'} unverified.`,
      );
    }
    console.error(
      `Wrote the evidence archive of ${plural(bag.reports, 'report')} (${plural(bag.ops, 'op')}, ${plural(bag.photos, 'photo')}) to ${args.out}, under the root ${bag.root.short}.`,
    );
    console.error(`Check it with: sha256sum -c manifest-sha256.txt (in ${args.out}), then npm run verify-evidence -- ${args.out}`);
  } catch (error) {
    throw error instanceof EvidenceRefused ? new ExportRefused(error.message) : error;
  } finally {
    await store.close();
  }
}

async function runExport(args: ExportArgs, env: NodeJS.ProcessEnv): Promise<void> {
  const options = readStoreOptions(env);
  await requireStore(options);
  const store = await openStore(options);
  try {
    const { ours, deploymentKeys, sealedOps } = await openKeys(store, args.keys, env);
    // Such a base takes signed version-2 ops only, and this command has no device key to sign with.
    const sealedBase = ours.length > 0 || sealedOps;
    const base = await readBaseReports(store.db, { deploymentKeys, deploymentKids: ours.map((k) => k.kid) });
    // A partner must not receive a file that silently lacks reports (docs/decisions.md, 059).
    if (base.unopened.length > 0) {
      const sentences = unopenedSentences(base.unopened);
      if (!args.allowMissingKeys) {
        throw new ExportRefused(
          [
            ...sentences,
            'Nothing was exported: add a --key for each key id above, or --allow-missing-keys to export without what they seal.',
          ].join('\n'),
        );
      }
      for (const sentence of sentences) console.error(sentence);
      console.error('Exporting without them, as --allow-missing-keys asks: the file lacks what they seal.');
    }
    const profile = chooseProfile(base.profiles, args.profile);
    if (profile.kind === 'partner' && profile.photos && args.aggregate === undefined) {
      console.error(
        `The profile "${profile.name}" sends photos, which a coordinator's desk re-encodes: this file goes without them. Export from the desk for the ZIP with the photos.`,
      );
    }
    if (base.skippedOps > 0) {
      console.error(
        `Skipped ${base.skippedOps} op${base.skippedOps === 1 ? '' : 's'} that could not be read, opened or checked; the desk lists them under quarantine.`,
      );
    }
    const exportedAt = new Date().toISOString();
    let file: { text: string; rows: number };
    let logFormat: 'csv' | 'geojson' | 'json' | 'aggregate_csv' | 'aggregate_json' = args.format;
    let suppressed: number | undefined;
    if (args.aggregate !== undefined) {
      const level = args.aggregate;
      // Counts at two levels subtract to give back the cells left out, whatever the profiles.
      if (level !== AGGREGATE_LEVEL) {
        throw new ExportRefused(
          `This deployment counts every aggregate at admin level ${AGGREGATE_LEVEL}, under every profile, so that counts at two levels cannot be subtracted to give back the cells left out (docs/decisions.md, 052): use --aggregate ${AGGREGATE_LEVEL}.`,
        );
      }
      if (profile.kind === 'partner' && aggregateRefusal(profile)) {
        throw new ExportRefused(
          `The profile "${profile.name}" shares places down to admin level ${profile.place.level}; an aggregate at level ${level} would be finer.`,
        );
      }
      const format = args.format === 'json' ? 'json' : 'csv';
      const aggregate = aggregateFile(base.records, { profile, format, exportedAt });
      file = { text: [...aggregate.chunks].join(''), rows: aggregate.rows.length };
      suppressed = aggregate.suppressed;
      logFormat = `aggregate_${format}`;
    } else {
      // Said before the file is written: a coordinator may stop and set the areas first.
      const { rows, unplaced } = countUnplaced(base.records, profile);
      if (unplaced > 0) {
        console.error(
          `${unplaced} of ${rows} row${rows === 1 ? '' : 's'} will carry no place (no admin area and no point): set their admin areas on the desk ("Only reports with no admin area") and export again.`,
        );
      }
      if (profile.kind === 'partner') {
        const { groups } = countSmallGroups(base.records);
        const fate = { keep: 'kept as they are', coarsen: 'reported by governorate', drop: 'left out' }[args.smallGroups];
        console.error(
          `${groups} group${groups === 1 ? '' : 's'} of fewer than ${MIN_REPORTS_PER_CELL} reports of one type, week and district: ${fate} (--small-groups keep|coarsen|drop).`,
        );
      }
      file = await exportText(base.records, { profile, format: args.format, exportedAt, smallGroups: args.smallGroups });
    }

    // Opened before the export is logged, so a path that cannot be written logs nothing.
    let fd: number | undefined;
    if (args.out !== undefined) {
      try {
        fd = openSync(args.out, 'w');
      } catch (error) {
        throw new ExportRefused(`Cannot write ${args.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
      }
    }
    if (!sealedBase)
      await recordExport(
        store.db,
        { profile: profile.name, format: logFormat, rows: file.rows, at: exportedAt },
        { now: Date.now, random: cryptoRandom },
      );
    if (fd !== undefined) {
      writeSync(fd, file.text);
      closeSync(fd);
    } else {
      await writeToStdout(file.text);
    }
    const where = args.out === undefined ? '' : ` to ${args.out}`;
    const logged = sealedBase
      ? "not recorded in the store's export log, as the command line has no device key to sign the entry with"
      : 'recorded in the export log';
    console.error(`Exported ${file.rows} row${file.rows === 1 ? '' : 's'} with profile ${profile.name} (${logFormat})${where}; ${logged}.`);
    if (suppressed !== undefined) {
      console.error(
        `Left out ${suppressed} cell${suppressed === 1 ? '' : 's'} of fewer than ${MIN_REPORTS_PER_CELL} reports; the file does not say which.`,
      );
    }
  } finally {
    await store.close();
  }
}

/** Standard output closed early (piped into `head`, say) is said in a sentence, not as an unhandled error. */
function writeToStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EPIPE' ? new ExportRefused('Standard output was closed before the whole file was written.') : error),
    );
    process.stdout.write(text, (error) => (error ? undefined : resolve()));
  });
}

/** Opening a store creates one where there is none: an export must find the base's store, not make an empty one. */
async function requireStore(options: OpenStoreOptions): Promise<void> {
  if (options.databaseUrl === undefined) {
    const dir = options.dataDir ?? './data';
    if (!existsSync(join(dir, SQLITE_FILE_NAME))) {
      throw new ExportRefused(
        `There is no Rasid store in ${dir}. Set RASID_DATA to the server's data folder, or DATABASE_URL to its database.`,
      );
    }
    return;
  }
  const client = new pg.Client({ connectionString: options.databaseUrl });
  try {
    await client.connect();
    const found = await client.query<{ meta: string | null }>("select to_regclass('meta')::text as meta");
    if (!found.rows[0]?.meta) throw new ExportRefused('The database in DATABASE_URL holds no Rasid store.');
  } catch (error) {
    if (error instanceof ExportRefused) throw error;
    // The driver's message may name the host; the code is enough to act on.
    throw new ExportRefused(
      `The database in DATABASE_URL could not be reached (${(error as NodeJS.ErrnoException).code ?? 'connection failed'}).`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function chooseProfile(profiles: Map<string, StoredProfile>, name: string): Profile {
  if (name === INTERNAL_PROFILE.name) return INTERNAL_PROFILE;
  // A terminal may hand over an Arabic name decomposed; the desk stores names composed.
  const stored = profiles.get(name.normalize('NFC'));
  if (!stored) {
    const usable = [
      INTERNAL_PROFILE.name,
      ...[...profiles.values()]
        .filter((p) => p.ok && p.conflicts.length === 0)
        .map((p) => p.name)
        .sort(),
    ];
    throw new ExportRefused(`There is no export profile named "${name}" on this base. Profiles you can export with: ${usable.join(', ')}.`);
  }
  if (!stored.ok) {
    throw new ExportRefused(
      stored.reason === 'err.profile.removed'
        ? `The profile "${name}" was removed on the desk; it can no longer be exported with.`
        : `The profile "${name}" cannot be used as stored (${stored.reason}); fix it on the desk.`,
    );
  }
  if (stored.conflicts.length > 0) {
    throw new ExportRefused(
      `The profile "${name}" has a conflict in ${stored.conflicts.join(', ')} (coordinators changed it apart); choose on the desk, then export.`,
    );
  }
  return stored.profile;
}

function exitWith(code: number, ...lines: string[]): never {
  for (const line of lines) console.error(line);
  process.exit(code);
}

const argv = process.argv.slice(2);
Promise.resolve()
  .then(() => {
    if (wantsHelp(argv)) return console.log(USAGE);
    const args = readExportArgs(argv);
    return 'evidence' in args ? runEvidence(args, process.env) : runExport(args, process.env);
  })
  .catch((error: unknown) => {
    if (error instanceof UsageError) exitWith(2, error.message, USAGE);
    if (error instanceof ExportRefused || error instanceof ConfigError || error instanceof KeyRefused) exitWith(2, error.message);
    // Anything else is a fault of the program, not of its user: show where.
    exitWith(1, error instanceof Error ? (error.stack ?? error.message) : String(error));
  });
