/** Debian's Chromium as every browser test and benchmark launches it. */
import { chromium, type Browser } from 'playwright-core';

/** The flags known to work with Debian's Chromium in a container without a GPU or a sandbox. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The binary itself: the /usr/bin/chromium wrapper script prints a shell error, the binary does not. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';
}

/** A fresh browser with a throwaway profile. The caller closes it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}
