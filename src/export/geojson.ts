/**
 * GeoJSON (RFC 7946) for QGIS and web maps: a FeatureCollection, one Feature per row, longitude first,
 * WGS 84 (RFC 7946 has no `crs`). A feature has a point only where the row has one: a profile without
 * points, or a report without one, gives `geometry: null`, which RFC 7946 allows. Properties are the
 * CSV's columns by the same names, so a partner can move between the two files. A file whose small
 * groups were coarsened or left out says so in a foreign member of the collection, `smallGroups`,
 * which RFC 7946 lets a reader ignore.
 */
import { smallGroupsMember, type FileFormat } from './file-format.ts';
import type { Column, ExportRow } from './record.ts';

function geometry(row: ExportRow): string {
  const { lat, lon } = row;
  if (typeof lat !== 'number' || typeof lon !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lon)) return 'null';
  return `{"type":"Point","coordinates":[${lon},${lat}]}`;
}

export function geojsonFeature(row: ExportRow, columns: readonly Column[]): string {
  const properties = columns.map((c) => `${JSON.stringify(c.name)}:${JSON.stringify(row[c.name] ?? null)}`).join(',');
  return `{"type":"Feature","geometry":${geometry(row)},"properties":{${properties}}}`;
}

export const GEOJSON: FileFormat = {
  extension: 'geojson',
  mediaType: 'application/geo+json',
  // The member goes before `features`, so a reader streaming the file meets it first.
  head: (_columns, header) => `{"type":"FeatureCollection"${smallGroupsMember(header)},"features":[`,
  rows: (rows, columns, first) => (first ? '\n' : ',\n') + rows.map((r) => geojsonFeature(r, columns)).join(',\n'),
  tail: () => '\n]}\n',
};
