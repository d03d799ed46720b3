/**
 * A report written before the phone has the gazetteer has no area a partner can place. The sync
 * that starts with the enrollment brings the gazetteer, and the enrollment screen says when it is
 * here; while it is missing, the form says it comes from the base rather than pointing a monitor to
 * a Settings import it is not offered.
 */
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import { PHONE, autoUnlock, deskAndPhone, enrollByLink, ownBrowserAndServer, syncNow } from './harness.ts';

const own = ownBrowserAndServer();

async function newDamageForm(p: Page) {
  await p.goto('/');
  await p.getByRole('button', { name: 'تقرير جديد' }).click();
  await p.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
}

test('the gazetteer arrives with the sync an enrollment starts, and until it does the form says where it comes from', async () => {
  const { desk, coordinator, phoneContext, phone } = await deskAndPhone(own, 'the old cistern under the square');

  // Enrolled before the deployment has a gazetteer: the first sync ends without one, and says so.
  await phone.getByRole('status').filter({ hasText: 'لم يصل دليل جغرافي بعد' }).waitFor();
  await newDamageForm(phone);
  const hint = phone.getByText('لا دليل جغرافي على هذا الهاتف بعد: يصل من المركز مع المزامنة التالية.', { exact: false });
  await hint.waitFor();
  // A monitor is sent to the Sync screen, not to a Settings import it is not offered.
  expect(await hint.getByRole('link', { name: 'الإعدادات' }).count()).toBe(0);
  await hint.getByRole('link', { name: 'المزامنة' }).click();
  await phone.getByRole('heading', { name: 'المزامنة', level: 1 }).waitFor();

  // The coordinator imports one; a phone enrolled from then on has it before its first report.
  await coordinator.getByRole('link', { name: 'Settings' }).click();
  await coordinator.getByRole('button', { name: 'Load the sample gazetteer' }).click();
  await coordinator
    .getByRole('status')
    .getByText(/will reach every enrolled device/)
    .waitFor();
  await syncNow(coordinator, 'en');
  await coordinator.getByRole('link', { name: 'Devices' }).click();
  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
  const link = (await coordinator.getByTestId('enrollment-link').textContent()) ?? '';

  const second = await own.browser.newContext({ baseURL: own.server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
  autoUnlock(second);
  const next = await second.newPage();
  await enrollByLink(next, link);
  // No sync asked for: the one the enrollment started brought it.
  const held = await next
    .getByRole('status')
    .filter({ hasText: /الدليل الجغرافي على هذا الهاتف: .+ للاختيار منها/ })
    .textContent();
  expect(held).toMatch(/[٠-٩]+ (مناطق|منطقة)/);
  await newDamageForm(next);
  await next.getByLabel('المحافظة', { exact: true }).locator('option').nth(1).waitFor({ state: 'attached' });
  expect(await next.getByText('لا دليل جغرافي على هذا الهاتف بعد', { exact: false }).count()).toBe(0);

  // The first phone has it from its next sync on.
  await phone.goto('/');
  await syncNow(phone, 'ar');
  await newDamageForm(phone);
  await phone.getByLabel('المحافظة', { exact: true }).locator('option').nth(1).waitFor({ state: 'attached' });
  await Promise.all([desk.close(), phoneContext.close(), second.close()]);
});
