/**
 * The English catalog. It defines the keys: the Arabic catalog must have every one (the type checker
 * says so). Plural messages list the forms Intl.PluralRules can ask for in the language.
 */
import type { CatalogOf, PluralMessage } from './catalog-types.ts';
import type { deskCatalogEn } from './desk-catalog.en.ts';
import type { thisDeviceEn } from './this-device.en.ts';
import type { screensEn } from './screens.en.ts';
import { lockEn } from './lock.en.ts';

const coreEn = {
  'app.name': 'Rasid',
  'app.neutralName': 'Notes',
  'app.tagline': 'Field reports',
  'nav.main': 'Main',
  'nav.reports': 'Reports',
  'nav.settings': 'Settings',
  'status.offline': 'Offline: reports are saved on this phone',
  'action.newReport': 'New report',
  'action.resume': 'Resume',
  'action.discard': 'Discard',
  'action.reloadToUpdate': 'Reload to update',
  'action.later': 'Later',
  'list.label': 'Reports',
  'list.filterType': 'Show',
  'list.allTypes': 'All types',
  'list.empty': 'No reports yet. Reports you save stay on this phone, even with no connection.',
  'list.count': { one: '{n} report', other: '{n} reports' },
  'list.unsynced': 'Not sent',
  'list.changesNotSent': 'Changes not sent',
  'list.waiting': { one: '{n} report waiting to be sent', other: '{n} reports waiting to be sent' },
  'list.showWaiting': 'Waiting to be sent',
  'list.conflict': 'Conflict',
  'list.unreadable': 'Could not read this report ({id}). It is kept as it was.',
  'list.noPlace': 'No place given',
  'date.range': '{from} – {to}',
  'date.about': 'about {date}',
  'date.since': 'since {date}',
  'draft.name': '{type} in {place}',
  'draft.nameNoPlace': '{type}, no place given',
  'draft.offer': '{name}, unsaved, from {time}',
  'draft.offerEdit': 'Changes to {name}, unsaved, from {time}',
  'type.label': 'Report type',
  'type.displacement': 'Displacement',
  'type.damage': 'Damage',
  'type.access_cut': 'Access cut',
  'field.households': 'Households',
  'field.individuals': 'Individuals',
  'field.structures': 'Structures',
  'yesno.yes': 'Yes',
  'yesno.no': 'No',
  'code.datePrecision.exact': 'Exact',
  'code.datePrecision.approximate': 'Approximate',
  'code.datePrecision.range': 'Range',
  'code.locationPrecision.exact': 'Exact',
  'code.locationPrecision.approximate': 'Approximate',
  'code.locationPrecision.area': 'Area only',
  'code.sourceKind.eyewitness': 'Eyewitness',
  'code.sourceKind.victim': 'Victim',
  'code.sourceKind.secondary': 'Secondary',
  'code.sourceKind.open_source': 'Open source',
  'code.confidence.high': 'High',
  'code.confidence.medium': 'Medium',
  'code.confidence.low': 'Low',
  'code.verification.unverified': 'Unverified',
  'code.verification.verified': 'Verified',
  'code.verification.disputed': 'Disputed',
  'code.verification.duplicate': 'Duplicate',
  'code.shelter.camp': 'Camp',
  'code.shelter.host_family': 'Host family',
  'code.shelter.collective_centre': 'Collective centre',
  'code.shelter.public_building': 'Public building',
  'code.shelter.military_base': 'Military base',
  'code.shelter.open_air': 'Open air',
  'code.displacementCause.violence': 'Violence',
  'code.displacementCause.threats': 'Threats',
  'code.displacementCause.home_destroyed': 'Home destroyed',
  'code.displacementCause.looting': 'Looting',
  'code.displacementCause.shelling': 'Shelling',
  'code.displacementCause.eviction': 'Eviction',
  'code.displacementCause.loss_of_services': 'Loss of services',
  'code.displacementCause.other': 'Other',
  'code.structureKind.home': 'Home',
  'code.structureKind.shop': 'Shop',
  'code.structureKind.worship': 'Mosque or church',
  'code.structureKind.school': 'School',
  'code.structureKind.clinic': 'Clinic',
  'code.structureKind.infrastructure': 'Infrastructure',
  'code.structureKind.other': 'Other',
  'code.damageLevel.destroyed': 'Destroyed',
  'code.damageLevel.severe': 'Severe',
  'code.damageLevel.moderate': 'Moderate',
  'code.damageLevel.possible': 'Possible',
  'code.damageLevel.destroyed.hint': 'collapsed, or beyond repair',
  'code.damageLevel.severe.hint': 'part of the roof or walls fell; not safe to live in',
  'code.damageLevel.moderate.hint': 'cracks, holes or burn marks; still standing and usable',
  'code.damageLevel.possible.hint': 'signs of damage seen from afar or heard of, not seen up close',
  'code.damageCause.burning': 'Burning',
  'code.damageCause.looting': 'Looting',
  'code.damageCause.shelling': 'Shelling',
  'code.damageCause.demolition': 'Demolition',
  'code.damageCause.other': 'Other',
  'code.service.bread': 'Bread',
  'code.service.water': 'Water',
  'code.service.electricity': 'Electricity',
  'code.service.fuel': 'Fuel',
  'code.service.health': 'Health care',
  'code.service.telecoms': 'Telecoms',
  'code.serviceState.cut': 'Cut',
  'code.serviceState.partial': 'Partial',
  'code.serviceState.restored': 'Restored',
  'code.cutCause.attack': 'Attack',
  'code.cutCause.siege': 'Siege',
  'code.cutCause.infrastructure_damage': 'Damaged infrastructure',
  'code.cutCause.deliberate_cut': 'Deliberately cut',
  'code.cutCause.shortage': 'Shortage',
  'code.cutCause.other': 'Other',
  'view.notFound': 'This report is not on this phone.',
  'settings.language': 'Language',
  'update.available': 'A new version of the app is ready. Your work is kept.',
  'nav.sync': 'Sync',
  'nav.conflicts': 'Conflicts',
  'nav.devices': 'Devices',
  'nav.quarantine': 'Quarantine',
  'panic.action': 'Wipe this phone',
  'panic.confirm': 'Tap again to wipe everything',
  'panic.confirmUnsynced': {
    one: 'Tap again to wipe everything ({n} report has not reached the base)',
    other: 'Tap again to wipe everything ({n} reports have not reached the base)',
  },
  'panic.wiping': 'Wiping…',
} as const satisfies Record<string, string | PluralMessage>;

/**
 * What every device loads at start: the list's and the lock's messages. The other screens' are in
 * screens.en.ts, loaded once the list is drawn; the desk's in desk-catalog.en.ts, for coordinators.
 */
export const en = { ...coreEn, ...lockEn } as const;

/** Every message the app has: the catalog above, the screens', and the desk's. */
export type MessageKey = keyof typeof en | keyof typeof screensEn | keyof typeof deskCatalogEn;
export type Catalog = CatalogOf<typeof en>;
export type ScreensCatalog = CatalogOf<typeof screensEn>;
export type DeskCatalog = CatalogOf<typeof deskCatalogEn>;
/** Shared messages worded for a coordinator's device, which may be no phone. */
export type ThisDeviceWords = Partial<CatalogOf<typeof thisDeviceEn>>;
/** A language's messages as a translator holds them: the screens' and the desk's only once loaded. */
export type LoadedCatalog = Catalog & Partial<ScreensCatalog> & Partial<DeskCatalog>;
