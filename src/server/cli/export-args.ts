/**
 * The command line of `npm run export`, read into what to export. Anything wrong with it is a
 * UsageError: its message is printed as is, with the usage, and the command exits with code 2.
 */
import { parseArgs } from 'node:util';
import { ADMIN_LEVELS, type AdminLevel } from '../../domain/gazetteer.ts';
import { AGGREGATE_LEVEL } from '../../export/aggregate.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../../export/export-file.ts';
import { SMALL_GROUP_CHOICES, type SmallGroupChoice } from '../../export/small-groups.ts';

export class UsageError extends Error {}

export const USAGE =
  `Usage: npm run export -- --profile NAME --format csv|geojson|json [--aggregate ${AGGREGATE_LEVEL}] [--small-groups keep|coarsen|drop] [--out FILE] [--key KEYFILE ...] [--allow-missing-keys]\n` +
  '   or: npm run export -- --evidence --out FOLDER [--report ID ...] [--key KEYFILE ...]   (the evidence archive, docs/verify-evidence.md)\n' +
  'Give --key once for each deployment key the ops are sealed to (the one from before a rotation, and the current one).\n' +
  'Each passphrase comes from RASID_KEY_PASSPHRASE or, on a terminal, is asked for, file by file.';

export interface ExportArgs {
  profile: string;
  format: ExportFormat;
  /** Counts by admin area at this level x week x type, instead of one row per report; only the deployment's level is taken. */
  aggregate?: AdminLevel;
  /** A partner's rows in groups of fewer than 5 reports (type, week, district): kept, by governorate, or left out. */
  smallGroups: SmallGroupChoice;
  /** Where to write the file; standard output when not given. */
  out?: string;
  /**
   * The deployment key files, one for each deployment key the root named that ops are sealed to
   * (before and after a rotation); given only with --key. Their passphrases are never arguments: they
   * would show in `ps` and in the shell's history.
   */
  keys?: string[];
  /** Export even when some ops are sealed to a deployment key no --key file opens (docs/decisions.md, 059). */
  allowMissingKeys?: true;
}

/** The evidence archive (`--evidence`): a BagIt bag written to a folder, of the reports named or of all. */
export interface EvidenceArgs {
  evidence: true;
  out: string;
  /** Report ids; every report when not given. */
  reports?: string[];
  keys?: string[];
}

/** `--help` alone: the usage, on standard output, and nothing exported. */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      profile: { type: 'string' },
      format: { type: 'string' },
      aggregate: { type: 'string' },
      'small-groups': { type: 'string' },
      out: { type: 'string' },
      key: { type: 'string', multiple: true },
      'allow-missing-keys': { type: 'boolean' },
      evidence: { type: 'boolean' },
      report: { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

export function readExportArgs(argv: readonly string[]): ExportArgs | EvidenceArgs {
  if (argv.some((a) => a === '--passphrase' || a.startsWith('--passphrase='))) {
    throw new UsageError(
      'The passphrase is never taken as an argument, where ps and the shell history would show it: set RASID_KEY_PASSPHRASE, or type it when asked.',
    );
  }
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (error) {
    // parseArgs says what was wrong ("Unknown option '--x'"); the usage says what is right.
    throw new UsageError((error as Error).message);
  }
  const { profile, format, aggregate, out, key: keys, 'small-groups': smallGroups = 'keep' } = values;
  if (keys?.includes('')) throw new UsageError('--key needs the deployment key file.');
  if (values.evidence === true) return evidenceArgs(values);
  if (values.report !== undefined) throw new UsageError('--report chooses the reports of an evidence archive: it goes with --evidence.');
  if (!profile) throw new UsageError('Name the export profile with --profile (internal, or a partner profile made on the desk).');
  if (!format) throw new UsageError('Choose a file format with --format: csv, geojson or json.');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new UsageError(`Unknown format "${format}": use csv, geojson or json.`);
  if (!(SMALL_GROUP_CHOICES as readonly string[]).includes(smallGroups))
    throw new UsageError(`--small-groups takes keep, coarsen or drop, not "${smallGroups}".`);
  if (aggregate !== undefined && values['small-groups'] !== undefined)
    throw new UsageError('--small-groups is for a file of reports; an aggregate leaves small cells out itself.');
  const args: ExportArgs = { profile, format: format as ExportFormat, smallGroups: smallGroups as SmallGroupChoice };
  if (aggregate !== undefined) {
    const level = Number(aggregate);
    if (!(ADMIN_LEVELS as readonly number[]).includes(level))
      throw new UsageError(`--aggregate takes an admin level, 1, 2 or 3, not "${aggregate}".`);
    if (format === 'geojson') throw new UsageError('An aggregate export is a table of counts: use --format csv or json with --aggregate.');
    args.aggregate = level as AdminLevel;
  }
  if (out !== undefined) {
    if (out === '') throw new UsageError('--out needs a file name.');
    args.out = out;
  }
  if (keys !== undefined) args.keys = [...new Set(keys)];
  if (values['allow-missing-keys'] === true) {
    if (keys === undefined) throw new UsageError('--allow-missing-keys goes with --key: without a key file no sealed op is opened at all.');
    args.allowMissingKeys = true;
  }
  return args;
}

function evidenceArgs(values: ReturnType<typeof parse>): EvidenceArgs {
  const others = (['profile', 'format', 'aggregate', 'small-groups', 'allow-missing-keys'] as const).filter((o) => values[o] !== undefined);
  if (others.length > 0) {
    throw new UsageError(`--evidence writes every op and original of the reports, under no profile: leave out --${others.join(', --')}.`);
  }
  if (!values.out) throw new UsageError('An evidence archive is a folder: name a new or empty one with --out.');
  const args: EvidenceArgs = { evidence: true, out: values.out };
  if (values.report !== undefined) {
    if (values.report.includes('')) throw new UsageError('--report needs a report id.');
    args.reports = [...new Set(values.report)];
  }
  if (values.key !== undefined) args.keys = [...new Set(values.key)];
  return args;
}
