/**
 * The files as partners' tools read them: GDAL (`ogrinfo`, Debian's gdal-bin, which QGIS is built
 * on) opens each CSV and GeoJSON and finds the expected features and fields. scripts/test.sh installs
 * gdal-bin; without it these tests fail, they are not skipped.
 *
 * GDAL's CSV driver has no notion of HXL: it reads the hashtag row as a first data row, so a CSV has
 * one feature more than it has reports.
 */
import { execFileSync, spawnSync, type ExecFileSyncOptionsWithStringEncoding } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { aggregateColumns, aggregateFile } from '../../src/export/aggregate.ts';
import { exportText, type ExportFormat } from '../../src/export/export-file.ts';
import { columnsFor, type Profile } from '../../src/export/profile.ts';
import { snapToGrid } from '../../src/export/coarsen.ts';
import { AGGREGATE_RECORDS } from './aggregate-fixtures.ts';
import { EXPORTED_AT, MAPPING_PARTNER, PROFILES, RECORDS, WASH_PARTNER } from './fixtures.ts';

let dir: string;
beforeAll(() => {
  const probe = spawnSync('ogrinfo', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error("ogrinfo (GDAL) is missing: install Debian's gdal-bin (`apt-get install -y gdal-bin`; scripts/test.sh does this)");
  }
  dir = mkdtempSync(join(tmpdir(), 'rasid-export-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function write(profile: Profile, format: ExportFormat): Promise<{ path: string; rows: number }> {
  const { text, rows } = await exportText(RECORDS, { profile, format, exportedAt: EXPORTED_AT });
  const path = join(dir, `${profile.name}.${format}`);
  writeFileSync(path, text);
  return { path, rows };
}

// GDAL warns on stderr that the hashtag row's `#geo+lat` is no number; that is expected, not news.
const QUIET: ExecFileSyncOptionsWithStringEncoding = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] };

const FIELD = /^([a-z0-9_]+): (?:String|Integer|Integer64|Real|Date|DateTime|Time)\b/gm;

/** Feature count and field names, as `ogrinfo -so` lists them. */
function summary(path: string, options: string[] = []) {
  const out = execFileSync('ogrinfo', ['-ro', '-so', '-al', ...options, path], QUIET);
  return { features: Number(/Feature Count: (\d+)/.exec(out)?.[1]), fields: [...out.matchAll(FIELD)].map((m) => m[1]) };
}

/** Every feature, as `ogrinfo` prints it: fields as `name (Type) = value`, geometry as `POINT (x y)`. */
const features = (path: string, options: string[] = []) => execFileSync('ogrinfo', ['-ro', '-al', '-q', ...options, path], QUIET);
const points = (text: string) => [...text.matchAll(/POINT \(([-\d.]+) ([-\d.]+)\)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));

const names = (profile: Profile) => columnsFor(profile).map((c) => c.name);
const withPoint = (profile: Profile) =>
  profile.kind === 'internal' || profile.place.by === 'grid'
    ? RECORDS.filter((r) => typeof r.lat === 'number' && (profile.kind === 'internal' || r.deleted !== true)).length
    : 0;

describe.each(PROFILES.map((p) => [p.name, p] as const))('GDAL reads the %s export', (_, profile) => {
  test('CSV: one feature per report plus the hashtag row, one field per column', async () => {
    const { path, rows } = await write(profile, 'csv');
    expect(summary(path)).toEqual({ features: rows + 1, fields: names(profile) });
  });

  test('GeoJSON: one feature per report, one field per column, a point only where the profile allows', async () => {
    const { path, rows } = await write(profile, 'geojson');
    expect(summary(path)).toEqual({ features: rows, fields: names(profile) });
    expect(points(features(path))).toHaveLength(withPoint(profile));
  });
});

describe('GDAL and the file contents', () => {
  test('reads longitude as x and latitude as y', async () => {
    const { path } = await write(PROFILES[0], 'geojson');
    expect(points(features(path))).toContainEqual({ x: 36.08417, y: 35.36214 });
  });

  test('reads Arabic and multi-line quoted cells from the CSV intact', async () => {
    const { path } = await write(PROFILES[0], 'csv');
    const text = features(path);
    expect(text).toContain('adm2_name_ar (String) = جبلة');
    expect(text).toContain('cut_cause (String) = siege');
    // A quoted cell with a line break stays in its feature: the next field follows the narrative.
    expect(text).toMatch(
      /narrative \(String\) = Homes on the "upper road" were looted, then burned; neighbours counted 12\.\nSome families, it is said, left for Jableh\.\n\s+media_sha256/,
    );
  });

  test('a gridded partner CSV opened as points (as QGIS does) has only cell centres', async () => {
    const { path } = await write(MAPPING_PARTNER, 'csv');
    const found = points(features(path, ['-oo', 'X_POSSIBLE_NAMES=lon', '-oo', 'Y_POSSIBLE_NAMES=lat']));
    expect(found).toHaveLength(withPoint(MAPPING_PARTNER));
    for (const p of found) expect(snapToGrid({ lat: p.y, lon: p.x }, 5)).toEqual({ lat: p.y, lon: p.x });
  });

  test('the default partner CSV has no geometry GDAL could find', async () => {
    const { path } = await write(WASH_PARTNER, 'csv');
    expect(points(features(path, ['-oo', 'X_POSSIBLE_NAMES=lon', '-oo', 'Y_POSSIBLE_NAMES=lat']))).toEqual([]);
  });

  test('the aggregate CSV: its cells plus the hashtag row, six fields', () => {
    const path = join(dir, 'aggregate.csv');
    writeFileSync(
      path,
      [...aggregateFile(AGGREGATE_RECORDS, { profile: WASH_PARTNER, format: 'csv', exportedAt: EXPORTED_AT }).chunks].join(''),
    );
    expect(summary(path)).toEqual({ features: 2 + 1, fields: aggregateColumns(2).map((c) => c.name) });
  });
});
