/**
 * The enrollment link's fragment (`#code=...&fp=...`), taken from the address as the page loads,
 * before the lock screen asks for anything, and kept in this page's memory only: the address, and
 * with it the browser's history, loses the code and fingerprint at once, even when the enrollment
 * is never finished. A reload (locking reloads) forgets it too: the link is then opened again.
 */
let taken: string | undefined;

export function takeEnrollmentFragment(): void {
  // The path written out rather than `href()`: importing the router here splits Preact into a first-load
  // chunk of its own, 400 bytes gzip over what the phone's first load may weigh.
  if (location.pathname !== '/enroll' || location.hash === '') return;
  taken = location.hash;
  history.replaceState(history.state, '', location.pathname + location.search);
}

/** The fragment taken as the page loaded, if it opened an enrollment link. */
export function enrollmentFragment(): string | undefined {
  return taken;
}
