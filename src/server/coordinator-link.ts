/**
 * `npm run coordinator-link`: prints a fresh one-time link that enrolls a coordinator, for a lost
 * first link or a second coordinator. Reads the same environment as `npm start` (the store, and
 * PUBLIC_ORIGIN or PORT and TLS for the origin), and may run while the server runs.
 *
 * Whoever can run this on the server can make themselves a coordinator: that is the point, and
 * why the server's machine (or its database credentials) must be kept as safe as a coordinator's
 * phone.
 */
import { cryptoRandom } from '../domain/ids.ts';
import { ConfigError, defaultOrigin, insecureOriginWarning, readPort, readPublicOrigin, readStoreOptions, wantsTls } from './config.ts';
import { DEFAULT_CODE_LIFETIME_MS, enrollmentLink, lifetimeText, makeEnrollmentCode } from './enrollment/codes.ts';
import { linkFingerprint } from './enrollment/deployment-key.ts';
import { openStore } from './store/index.ts';

async function printCoordinatorLink(env: NodeJS.ProcessEnv): Promise<void> {
  const explicit = readPublicOrigin(env);
  const origin = explicit ?? defaultOrigin(wantsTls(env), readPort(env));
  const store = await openStore(readStoreOptions(env));
  try {
    const made = await makeEnrollmentCode(store.db, 'coordinator', { now: Date.now, random: cryptoRandom });
    // Printed where the base runs: a base hostile enough to swap the key could print another link too,
    // so a coordinator compares the fingerprint with the one a fellow coordinator reads out.
    const pinned = await linkFingerprint(store.db);
    console.log(
      `Open this link on the coordinator's device within ${lifetimeText(DEFAULT_CODE_LIFETIME_MS)}; it works once:\n\n  ${enrollmentLink(origin, made.code, pinned)}\n`,
    );
  } finally {
    await store.close();
  }
  if (!explicit)
    console.error(`The link uses ${origin}; if devices reach the server at another address, set PUBLIC_ORIGIN and run this again.`);
  const warning = insecureOriginWarning(origin);
  if (warning) console.error(warning);
}

printCoordinatorLink(process.env).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error));
  process.exit(1);
});
