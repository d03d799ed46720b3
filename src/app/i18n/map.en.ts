/** The desk's map and the boundary layer it is drawn from: English messages. */
import type { PluralMessage } from './catalog-types.ts';

export const mapEn = {
  'map.title': 'Map',
  'map.intro':
    'Reports by admin area, shaded by how many there are, and reports with a point as dots. Drawn from the boundary layer on this device: the map loads nothing from the internet.',
  'map.noLayer': 'There is no boundary layer on this device yet. Import one in Settings to see the map.',
  'map.toSettings': 'Import a boundary layer in Settings',
  'map.level': 'Admin level shown',
  'map.label.1': 'Map of reports by governorate',
  'map.label.2': 'Map of reports by district',
  'map.label.3': 'Map of reports by sub-district',
  'map.areas': 'Admin areas',
  'map.area': '{name}, reports: {n}',
  'map.dots': { one: '{n} report with a point', other: '{n} reports with a point' } satisfies PluralMessage,
  'map.step.none': 'No reports',
  'map.step.one': '{n}',
  'map.step.range': '{from} to {to}',
  'map.dotKey': 'A report with a point',
  'map.table.area': 'Admin area',
  'map.table.reports': 'Reports',
  'map.unplaced': 'Reports not on the map',
  'map.noArea': {
    one: '{n} report is filed under no admin area of this level, so it is not on the map.',
    other: '{n} reports are filed under no admin area of this level, so they are not on the map.',
  } satisfies PluralMessage,
  'map.notInLayer': {
    one: '{n} report is filed under an admin area the boundary layer does not have, so it is not on the map.',
    other: '{n} reports are filed under admin areas the boundary layer does not have, so they are not on the map.',
  } satisfies PluralMessage,

  'boundaries.title': 'Boundary layer for the map',
  'boundaries.none': 'There is no boundary layer on this device.',
  'boundaries.loaded': 'Loaded from {name}:',
  'boundaries.count.1': { one: '{n} governorate', other: '{n} governorates' } satisfies PluralMessage,
  'boundaries.count.2': { one: '{n} district', other: '{n} districts' } satisfies PluralMessage,
  'boundaries.count.3': { one: '{n} sub-district', other: '{n} sub-districts' } satisfies PluralMessage,
  'boundaries.file': 'Import a boundary layer (OCHA COD-AB GeoJSON, up to {mb} MB)',
  'boundaries.hint':
    'Kept on this device only: it is not sent to the base or to other devices. A file of one admin level replaces that level and keeps the others.',
  'boundaries.loadSample': 'Load the sample boundary layer (invented shapes)',
  'boundaries.remove': 'Remove the boundary layer',
  'boundaries.removed': 'The boundary layer was removed from this device.',
  'boundaries.reading': 'Reading the file…',
  'boundaries.imported': { one: 'Imported {n} admin area.', other: 'Imported {n} admin areas.' } satisfies PluralMessage,
  'boundaries.skipped': {
    one: '{n} feature was skipped: it has no polygon, no p-code, or repeats a p-code.',
    other: '{n} features were skipped: they have no polygon, no p-code, or repeat a p-code.',
  } satisfies PluralMessage,
  'err.boundaries.tooLarge': 'The file is larger than {mb} MB. Import one admin level at a time, or a simplified layer.',
  'err.boundaries.notGeoJson': 'The file is not a GeoJSON FeatureCollection.',
  'err.boundaries.noAreas': 'The file has no polygon with a p-code (ADM1_PCODE, ADM2_PCODE or ADM3_PCODE).',
  'err.boundaries.read': 'The file could not be read.',
} as const;
