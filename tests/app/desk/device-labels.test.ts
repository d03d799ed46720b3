// Must come first: Dexie looks for IndexedDB when it is first imported.
import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { deviceName, labelKeyOf, readDeviceLabels, setLabel, shortDevice } from '../../../src/app/desk/device-labels.ts';
import { listDevices } from '../../../src/app/sync/devices.ts';
import { keepRoster } from '../../../src/app/sync/service.ts';
import { runSync } from '../../../src/app/sync/engine.ts';
import { deviceId } from '../../ids.ts';
import { ORIGIN, rootedDeployment, secondCoordinator, trackDeployments, type Base } from '../sync/sync-fixtures.ts';

const deployments = trackDeployments();

/** A code made through the API, as the Devices screen asks for one; the base's answer. */
async function makeCode(base: Base, token: string): Promise<{ code: string; codeId: string }> {
  const res = await base.fetch(`${ORIGIN}/api/v1/enrollment-codes`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ role: 'monitor' }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { code: string; codeId: string };
}

async function enrollWith(base: Base, code: string, device: string): Promise<void> {
  const res = await base.fetch(`${ORIGIN}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, device }),
  });
  expect(res.status).toBe(201);
}

describe('device labels', () => {
  test('a label given with a code names the device that used it, on every coordinator and no phone; the base reads none', async () => {
    const rooted = await rootedDeployment(deployments);
    const { base, coordinator, monitor } = rooted;
    const { second } = await secondCoordinator(deployments, rooted);
    const endpoint = { origin: ORIGIN, token: coordinator.token, fetch: base.fetch };

    const { code, codeId } = await makeCode(base, coordinator.token);
    expect(codeId).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(code).not.toContain(codeId);
    await setLabel(coordinator.writer, codeId, ' Jableh 2 ');
    const phone = deviceId('jableh-phone-0002');
    await enrollWith(base, code, phone);

    // The base names the code the phone used, by its id; the desk binds its label to the phone.
    const listed = await listDevices(endpoint);
    expect(listed.find((d) => d.device === phone)?.enrollmentCode).toBe(codeId);
    await keepRoster(coordinator.writer, endpoint, coordinator.device, coordinator.keys);
    const labels = await readDeviceLabels(coordinator.db);
    expect(labels.byDevice.get(phone)).toBe('Jableh 2');
    expect(deviceName(labels, phone)).toBe('Jableh 2');
    expect(deviceName(labels, monitor.device)).toBe(shortDevice(monitor.device));

    await runSync(coordinator.sync);
    for (const d of [second, monitor]) await runSync(d.sync);
    expect((await readDeviceLabels(second.db)).byDevice.get(phone)).toBe('Jableh 2');
    // Desk ops reach coordinators only.
    expect((await readDeviceLabels(monitor.db)).byKey.size).toBe(0);
    expect(await monitor.db.settings.where('id').startsWith('label:').count()).toBe(0);

    // Sealed: the base's store holds the label in no column of any row, and no answer names it.
    const ops = await base.store.db.selectFrom('ops').selectAll().execute();
    expect(ops.filter((o) => o.report_id === `label:${codeId}`)).toHaveLength(2);
    expect(JSON.stringify(ops)).not.toContain('Jableh');
    expect(JSON.stringify(await base.store.db.selectFrom('devices').selectAll().execute())).not.toContain('Jableh');
    expect(JSON.stringify(listed)).not.toContain('Jableh');
  });

  test('a device enrolled before codes had ids is labelled under its own id, and a second coordinator may rename it', async () => {
    const rooted = await rootedDeployment(deployments);
    const { coordinator } = rooted;
    const { second } = await secondCoordinator(deployments, rooted);
    const old = { device: deviceId('a3f9c2d18e7b6a5f4c3d2e1f0a9b8c7d') };
    await setLabel(coordinator.writer, labelKeyOf(old), 'Baniyas 1', old.device);
    await runSync(coordinator.sync);
    await runSync(second.sync);
    expect((await readDeviceLabels(second.db)).byDevice.get(old.device)).toBe('Baniyas 1');

    await setLabel(second.writer, labelKeyOf(old), 'بانياس ١', old.device);
    await runSync(second.sync);
    await runSync(coordinator.sync);
    expect((await readDeviceLabels(coordinator.db)).byDevice.get(old.device)).toBe('بانياس ١');
    // Cleared, the device goes back to its short id.
    await setLabel(coordinator.writer, labelKeyOf(old), '', old.device);
    const cleared = await readDeviceLabels(coordinator.db);
    expect(deviceName(cleared, old.device)).toBe('a3f9c2d1');
  });

  test('a label over 40 characters, or with control characters, is refused before anything is written', async () => {
    const { coordinator } = await rootedDeployment(deployments);
    const before = await coordinator.db.ops.count();
    await expect(setLabel(coordinator.writer, 'Tq3vX9aLm2Rc', 'x'.repeat(41))).rejects.toThrow('err.label.tooLong');
    await expect(setLabel(coordinator.writer, 'Tq3vX9aLm2Rc', 'Jableh\u00002')).rejects.toThrow('err.label.invalid');
    expect(await coordinator.db.ops.count()).toBe(before);
    await setLabel(coordinator.writer, 'Tq3vX9aLm2Rc', 'ج'.repeat(40));
    expect((await readDeviceLabels(coordinator.db)).byKey.get('Tq3vX9aLm2Rc')?.label).toHaveLength(40);
  });

  test("a phone's random id shows its first 8 digits; a short chosen id shows whole", () => {
    expect(shortDevice('3fa4b2c1d0e9f8a7b6c5d4e3f2a1b0c9')).toBe('3fa4b2c1');
    expect(shortDevice('field-monitor-north-2')).toBe('field-monitor-north-2');
  });
});
