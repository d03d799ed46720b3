/**
 * Device labels: a coordinator names a phone when making its enrollment code ("Qardaha 3"), and the
 * desk then shows that name where it showed a hex id: the list, its device filter, the Devices
 * screen, a report's history. The label is a sealed desk op: the base's files never hold it in a
 * form anyone can read, and no export carries it. A label that cannot be one is refused beside its
 * field, and no code is made.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, test } from 'vitest';
import {
  LAPTOP,
  PHONE,
  autoUnlock,
  enroll,
  enrollByLink,
  makeDeploymentKeys,
  ownBrowserAndServer,
  saveDamageReport,
  screenshot,
  syncNow,
} from './harness.ts';

const own = ownBrowserAndServer();

const LABEL = 'Qardaha 3';
const OWN_LABEL = 'مكتب المركز';
const PLACE = 'حي الفيض';

/** Every file under `dir`, read as bytes. */
async function filesUnder(dir: string): Promise<{ name: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(files.map(async (name) => ({ name, bytes: await readFile(name) })));
}

/** Exports on the desk's export screen (in English) as CSV with `profile`, keeping small groups as they are. */
async function exportCsv(page: Page, profile: string): Promise<string> {
  await page.goto('/desk/exports');
  await page.getByRole('radio', { name: 'CSV: spreadsheets, HDX' }).check();
  await page.getByRole('combobox', { name: 'Profile', exact: true }).selectOption({ label: profile });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    (async () => {
      await page.getByRole('button', { name: 'Export', exact: true }).click();
      // One report is a small group: a partner's file asks first what becomes of it.
      const group = page.getByRole('group', { name: 'Rows of small groups' });
      const written = page.getByRole('status').filter({ hasText: /Exported/ });
      await group.or(written).first().waitFor();
      if (await group.isVisible()) {
        await group.getByRole('radio', { name: 'Keep them as they are' }).check();
        await page.getByRole('button', { name: 'Write the file' }).click();
      }
    })(),
  ]);
  return (await readFile(await download.path())).toString('utf8');
}

test('a label given with a code names the device on the desk, and is in no file the base holds nor any export', async () => {
  const desk = await own.browser.newContext({ baseURL: own.server.baseUrl, ...LAPTOP, serviceWorkers: 'allow' });
  const coordinator = await desk.newPage();
  await enroll(coordinator, own.server.firstCoordinatorCode);
  await coordinator.getByLabel('اللغة').first().selectOption('en');
  const unlabelled = await makeDeploymentKeys(coordinator, 'the cistern under the old school');

  // A label too long to be one is refused beside its field, what was typed stays, and no code is made.
  const labelField = coordinator.getByRole('textbox', { name: 'Label for the new device (optional)' });
  await labelField.fill('Qardaha, the third phone of the team that covers the hills');
  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
  await labelField.and(coordinator.locator('[aria-invalid="true"]')).waitFor();
  await coordinator.getByText('This label is too long: at most 40 characters.').waitFor();
  expect(await coordinator.getByTestId('enrollment-link').textContent()).toBe(unlabelled);

  await labelField.fill(` ${LABEL} `);
  await coordinator.getByRole('button', { name: 'Enroll a new monitor' }).click();
  await coordinator.getByText(`Label: ${LABEL}`).waitFor();
  const link = (await coordinator.getByTestId('enrollment-link').textContent()) ?? '';
  expect(link).not.toBe(unlabelled);
  expect(link).not.toContain('Qardaha');
  await screenshot(coordinator, 'device-labels-code-en');

  const phoneContext = await own.browser.newContext({ baseURL: own.server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
  autoUnlock(phoneContext);
  const phone = await phoneContext.newPage();
  await enrollByLink(phone, link);
  await saveDamageReport(phone, { date: '2025-03-09', place: PLACE, structures: '٤', notes: 'نُهبت البيوت' });
  await syncNow(phone, 'ar');

  // At its next sync the desk learns which device used the code, and names it.
  await syncNow(coordinator, 'en');
  await coordinator.goto('/desk');
  const row = coordinator.getByRole('list', { name: 'Reports matching the filters' }).getByRole('link').filter({ hasText: PLACE });
  await row.filter({ hasText: LABEL }).waitFor();
  const devices = await coordinator.getByRole('combobox', { name: 'Device' }).getByRole('option').allTextContents();
  expect(devices.some((d) => d.includes(LABEL))).toBe(true);
  await screenshot(coordinator, 'device-labels-list-en');

  await row.click();
  // "Device Qardaha 3", the label isolated in its own direction.
  await coordinator.getByRole('list', { name: 'History' }).getByText(`Device \u2068${LABEL}\u2069`).waitFor();

  // On the Devices screen: the label beside the id, in the revoke button's name, and one given here in Arabic.
  await coordinator.goto('/devices');
  const list = coordinator.getByRole('list', { name: 'Enrolled devices' });
  await list.getByRole('listitem').filter({ hasText: LABEL }).waitFor();
  await coordinator.getByRole('button', { name: `Revoke ${LABEL}` }).waitFor();
  const self = list.getByRole('listitem').filter({ hasText: 'This device' });
  await self.getByText('Give it a label').click();
  await self.getByRole('textbox', { name: 'Label' }).fill(OWN_LABEL);
  await self.getByRole('button', { name: 'Save the label' }).click();
  await self.getByRole('status').filter({ hasText: 'Label saved.' }).waitFor();
  await self.getByText(OWN_LABEL, { exact: true }).waitFor();
  await screenshot(coordinator, 'device-labels-devices-en');
  await syncNow(coordinator, 'en');

  // The base holds them sealed: no file under its data folder has either label, in any encoding a reader would try.
  for (const { name, bytes } of await filesUnder(own.server.dataDir)) {
    for (const label of [LABEL, OWN_LABEL]) {
      expect(bytes.includes(Buffer.from(label, 'utf8')), `${label} in ${name}`).toBe(false);
      expect(bytes.includes(Buffer.from(label, 'utf16le')), `${label} in ${name}`).toBe(false);
    }
  }

  // Nor does an export: the desk's own, nor a partner's.
  await coordinator.goto('/desk/exports');
  await coordinator.getByRole('button', { name: 'New partner profile' }).click();
  await coordinator.getByRole('textbox', { name: 'Profile name' }).fill('shelter-cluster');
  await coordinator.getByRole('button', { name: 'Save profile' }).click();
  await coordinator.getByRole('status').filter({ hasText: 'Profile shelter-cluster saved.' }).waitFor();
  for (const profile of ['internal', 'shelter-cluster (partner)']) {
    const csv = await exportCsv(coordinator, profile);
    // The file holds the report: what is looked for would be there if any part of the desk wrote it.
    expect(csv).toContain('#date+occurred');
    expect(csv).toContain('"damage"');
    for (const label of [LABEL, OWN_LABEL]) expect(csv).not.toContain(label);
  }
  await Promise.all([desk.close(), phoneContext.close()]);
});
