/**
 * The install offer as Chromium makes it: held from the start (its own bar kept back), shown once
 * when the monitor asks, and gone once the app is installed.
 */
import { expect, test } from 'vitest';
import { holdInstallOffer, install, installOffered, watchInstallOffer } from '../../src/app/install-offer.ts';

/** An event shaped as Chromium's `beforeinstallprompt`, answered with `outcome`. */
function offerEvent(outcome: 'accepted' | 'dismissed') {
  const event = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompts: number };
  event.prompts = 0;
  Object.assign(event, {
    prompt: () => {
      event.prompts++;
      return Promise.resolve();
    },
    userChoice: Promise.resolve({ outcome }),
  });
  return event;
}

test('an offer is held, its bar kept back, shown once, and answered', async () => {
  const page = new EventTarget();
  holdInstallOffer(page);
  let changes = 0;
  const stop = watchInstallOffer(() => changes++);
  expect(installOffered()).toBe(false);
  expect(await install()).toBe(false);

  const first = offerEvent('dismissed');
  page.dispatchEvent(first);
  expect(first.defaultPrevented).toBe(true);
  expect(installOffered()).toBe(true);
  expect(await install()).toBe(false);
  expect(first.prompts).toBe(1);
  // An offer is shown once: a second tap waits for the browser's next one.
  expect(installOffered()).toBe(false);
  expect(await install()).toBe(false);
  expect(first.prompts).toBe(1);

  const second = offerEvent('accepted');
  page.dispatchEvent(second);
  page.dispatchEvent(new Event('appinstalled'));
  // Installed some other way (the browser's menu): nothing is offered any more.
  expect(installOffered()).toBe(false);
  expect(second.prompts).toBe(0);

  page.dispatchEvent(offerEvent('accepted'));
  expect(await install()).toBe(true);
  stop();
  page.dispatchEvent(offerEvent('accepted'));
  // Each offer, each one taken, and the install: six changes, none after the watch stopped.
  expect(changes).toBe(6);
});
