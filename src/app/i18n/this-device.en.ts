/**
 * On a coordinator's device (a laptop, as often as not), the messages it shares with phones say
 * "this device" where a phone's say "this phone". Loaded with the desk's messages, and laid over the
 * others whenever they load.
 */
import type { PluralMessage } from './catalog-types.ts';
import type { Catalog, ScreensCatalog } from './en.ts';

export const thisDeviceEn = {
  'status.offline': 'Offline: reports are saved on this device',
  'list.empty': 'No reports yet. Reports you save stay on this device, even with no connection.',
  'view.notFound': 'This report is not on this device.',
  'panic.action': 'Wipe this device',
  'lock.setUp.intro':
    'Everything this app keeps on this device is encrypted under this passcode. Use at least 8 characters; longer is safer. If it is forgotten, the reports on this device cannot be read again, not even by the base.',
  'lock.err.damaged': 'The lock on this device is damaged. Its data cannot be opened; wipe the device to start again.',
  'lock.err.unreadableRow': 'A record on this device could not be opened.',
  'lock.triesLeft': { one: '{n} more wrong try wipes this device.', other: '{n} more wrong tries wipe this device.' },
  'lock.options.wipeAfter': 'Wipe this device after wrong passcodes',
  'lock.wipePasscode.intro':
    'A second passcode that, typed instead of yours, wipes this device and leaves a blank app. Give it if you are forced to unlock.',
  'form.saved': 'Saved on this device',
  'field.admin.noGazetteer': 'No gazetteer on this device yet: areas can be added from Settings.',
  'field.admin.gazetteerToCome':
    "No gazetteer on this device yet: it comes from the base with the next sync. Write the place's name now; its area can be picked once the gazetteer is here.",
  'field.point.denied': 'This device did not give a position. Enter it by hand or leave it empty.',
  'field.point.unavailable': 'This device cannot give a position.',
  'settings.storage': 'Storage on this device',
  'settings.notPersisted': 'The browser may clear this storage when this device runs low on space. Install the app to protect it.',
  'settings.gazetteerNone': 'No gazetteer on this device yet.',
  'renewal.title': 'New keys for this device',
  'renewal.err.noRoot': 'This device cannot make new keys before its deployment has a root.',
  'err.quota': 'The storage of this device is full. Your draft is kept: free some space and press Save again.',
  'sync.offline': 'Offline. Reports wait on this device and go at the next connection.',
  'sync.clockAhead':
    'The clock of this device is {minutes} minutes ahead of the base’s. Set its date and time: reports keep the time this device gave them.',
  'sync.clockBehind':
    'The clock of this device is {minutes} minutes behind the base’s. Set its date and time: reports keep the time this device gave them.',
  'sync.clockFuture': 'An op from another device carried a clock far in the future; this device did not follow it.',
  'sync.rejectedCount': { one: 'The base refused {n} change from this device.', other: 'The base refused {n} changes from this device.' },
  'sync.reset': 'The base was restored: this device sent its changes again and fetched everything anew.',
  'enroll.gazetteerHeld': {
    one: 'The gazetteer is on this device: {n} area to choose from.',
    other: 'The gazetteer is on this device: {n} areas to choose from.',
  },
  'field.photos.hint': 'Optional. Photos are kept sealed on this device and sent after the report.',
  'photo.err.storageFull': 'The storage of this device is full: the photo was not kept. Free some space and try again.',
  'camera.denied': 'This device did not open the camera. Allow the camera for this app, or choose a photo from the gallery.',
  'settings.photosWaiting': {
    one: '{n} photo ({size}) waits for the base to confirm it, and stays whole on this device until then.',
    other: '{n} photos ({size}) wait for the base to confirm them, and stay whole on this device until then.',
  },
  'file.photosStay': {
    one: 'Photos do not travel in a sync file: {n} photo stays on this device until it syncs with the base.',
    other: 'Photos do not travel in a sync file: {n} photos stay on this device until it syncs with the base.',
  },
  'intro.keeps.phone':
    'Your reports and drafts stay on this device, sealed under the passcode you choose next. Without it no one can read them, and no one can bring them back: not even a coordinator.',
  'intro.keeps.base':
    'They leave the device only when it syncs with your base, sealed so that the base itself cannot read them: only coordinators can. The app sends nothing anywhere else.',
  'intro.keeps.sent': 'Reports stay on the device once sent. Sync whenever you can: what has not reached the base is lost with the device.',
  'intro.lock.wipe':
    '“{wipe}”, beside it, wipes everything the app keeps on this device on a second tap. Reports not yet sent to the base are lost.',
  'intro.lock.settings':
    'In Settings you can choose a wipe passcode (typed at the lock instead of yours, it wipes the device and opens an empty app) and have the device wiped after too many wrong passcodes.',
} as const satisfies { [K in keyof (Catalog & ScreensCatalog)]?: string | PluralMessage };
