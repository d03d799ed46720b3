/** The command line of `npm run export`: what it accepts, and the sentence for what it does not. */
import { describe, expect, it } from 'vitest';
import { readExportArgs, UsageError, wantsHelp } from '../../../src/server/cli/export-args.ts';

describe('reading the export command line', () => {
  it('takes a profile and a format, an aggregate level and an output file, in either spelling of an option', () => {
    expect(readExportArgs(['--profile', 'internal', '--format', 'csv'])).toEqual({
      profile: 'internal',
      format: 'csv',
      smallGroups: 'keep',
    });
    expect(readExportArgs(['--profile=shelter-partner', '--format=json', '--aggregate=2', '--out', 'counts.json'])).toEqual({
      profile: 'shelter-partner',
      format: 'json',
      aggregate: 2,
      smallGroups: 'keep',
      out: 'counts.json',
    });
    expect(readExportArgs(['--profile', 'shelter-partner', '--format', 'csv', '--small-groups', 'coarsen'])).toMatchObject({
      smallGroups: 'coarsen',
    });
  });

  it('takes an evidence archive to a folder, of the reports named or of all, and nothing of a partner file with it', () => {
    expect(readExportArgs(['--evidence', '--out', 'bag', '--report', 'a', '--report', 'b', '--report', 'a', '--key', 'k.json'])).toEqual({
      evidence: true,
      out: 'bag',
      reports: ['a', 'b'],
      keys: ['k.json'],
    });
    expect(readExportArgs(['--evidence', '--out=bag'])).toEqual({ evidence: true, out: 'bag' });
    expect(() => readExportArgs(['--evidence'])).toThrow('An evidence archive is a folder: name a new or empty one with --out.');
    expect(() => readExportArgs(['--evidence', '--out', 'bag', '--profile', 'internal', '--format', 'csv'])).toThrow(
      '--evidence writes every op and original of the reports, under no profile: leave out --profile, --format.',
    );
    expect(() => readExportArgs(['--profile', 'internal', '--format', 'csv', '--report', 'a'])).toThrow(
      '--report chooses the reports of an evidence archive: it goes with --evidence.',
    );
  });

  it.each([
    [['--format', 'csv'], 'Name the export profile with --profile (internal, or a partner profile made on the desk).'],
    [['--profile', 'internal'], 'Choose a file format with --format: csv, geojson or json.'],
    [['--profile', 'internal', '--format', 'xlsx'], 'Unknown format "xlsx": use csv, geojson or json.'],
    [['--profile', 'internal', '--format', 'csv', '--aggregate', '4'], '--aggregate takes an admin level, 1, 2 or 3, not "4".'],
    [
      ['--profile', 'internal', '--format', 'geojson', '--aggregate', '2'],
      'An aggregate export is a table of counts: use --format csv or json with --aggregate.',
    ],
    [['--profile', 'internal', '--format', 'csv', '--out', ''], '--out needs a file name.'],
    [['--profile', 'p', '--format', 'csv', '--small-groups', 'hide'], '--small-groups takes keep, coarsen or drop, not "hide".'],
    [
      ['--profile', 'p', '--format', 'csv', '--aggregate', '2', '--small-groups', 'drop'],
      '--small-groups is for a file of reports; an aggregate leaves small cells out itself.',
    ],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => readExportArgs(argv)).toThrow(new UsageError(message));
  });

  it('takes the deployment key file with --key, once for each key: before a rotation and after', () => {
    expect(readExportArgs(['--profile', 'internal', '--format', 'csv', '--key', 'deployment-key.json'])).toEqual({
      profile: 'internal',
      format: 'csv',
      smallGroups: 'keep',
      keys: ['deployment-key.json'],
    });
    expect(
      readExportArgs([
        '--profile',
        'internal',
        '--format',
        'csv',
        '--key',
        'before-rotation.json',
        '--key=current.json',
        '--key',
        'current.json',
        '--allow-missing-keys',
      ]),
    ).toEqual({
      profile: 'internal',
      format: 'csv',
      smallGroups: 'keep',
      keys: ['before-rotation.json', 'current.json'],
      allowMissingKeys: true,
    });
    expect(() => readExportArgs(['--profile', 'internal', '--format', 'csv', '--key', 'a.json', '--key='])).toThrow(
      new UsageError('--key needs the deployment key file.'),
    );
    expect(() => readExportArgs(['--profile', 'internal', '--format', 'csv', '--allow-missing-keys'])).toThrow(
      new UsageError('--allow-missing-keys goes with --key: without a key file no sealed op is opened at all.'),
    );
  });

  it('never takes the passphrase as an argument, where ps and the shell history would show it', () => {
    const sentence =
      'The passphrase is never taken as an argument, where ps and the shell history would show it: set RASID_KEY_PASSPHRASE, or type it when asked.';
    expect(() => readExportArgs(['--profile', 'internal', '--format', 'csv', '--passphrase', 'olive terrace window'])).toThrow(
      new UsageError(sentence),
    );
    expect(() => readExportArgs(['--profile', 'internal', '--format', 'csv', '--passphrase=olive terrace window'])).toThrow(
      new UsageError(sentence),
    );
  });

  it('an unknown option or a stray word is refused, not ignored', () => {
    expect(() => readExportArgs(['--profile', 'internal', '--format', 'csv', '--fromat', 'json'])).toThrow(UsageError);
    expect(() => readExportArgs(['--profile', 'internal', '--format', 'csv', 'extra'])).toThrow(UsageError);
  });

  it('--help asks for the usage', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['--profile', 'internal'])).toBe(false);
  });
});
