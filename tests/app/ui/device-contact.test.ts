/** When the base last heard from a device, as the Devices screen says it, in both languages. */
import { describe, expect, test } from 'vitest';
import { ar } from '../../../src/app/i18n/ar.ts';
import { deskCatalogAr } from '../../../src/app/i18n/desk-catalog.ar.ts';
import { deskCatalogEn } from '../../../src/app/i18n/desk-catalog.en.ts';
import { en } from '../../../src/app/i18n/en.ts';
import { translator } from '../../../src/app/i18n/i18n.ts';
import { lastHeard } from '../../../src/app/ui/device-contact.ts';
import type { EnrolledDevice } from '../../../src/domain/protocol.ts';

const trAr = translator('ar', { ...ar, ...deskCatalogAr });
const trEn = translator('en', { ...en, ...deskCatalogEn });
const device: EnrolledDevice = { device: 'p3Zr8NcW5yHd', role: 'monitor', enrolledAt: 0, revokedAt: null, watermark: 3 };

describe("a device's last contact and latest change", () => {
  test('are dates, formatted as the app formats dates, with Arabic-Indic digits in Arabic', () => {
    const heard = { ...device, lastContactDate: '2025-03-07', lastOpDate: '2025-03-05' };
    expect(lastHeard(trEn, heard)).toBe('Last in touch with the base on 7 Mar 2025 · its latest change received on 5 Mar 2025');
    const arabic = lastHeard(trAr, heard);
    expect(arabic).toBe(`آخر اتصال بالمركز في ${trAr.date('2025-03-07')} · آخر تعديل منه استُلم في ${trAr.date('2025-03-05')}`);
    expect(arabic).toMatch(/٢٠٢٥/);
    expect(arabic).not.toMatch(/[0-9]/);
  });

  test('a device never heard from says so, also when only a change relayed by a desk arrived', () => {
    expect(lastHeard(trEn, device)).toBe('Not yet in touch with the base · no change of its received yet');
    expect(lastHeard(trAr, { ...device, lastOpDate: '2025-03-05' })).toBe(
      `لم يتصل بالمركز بعد · آخر تعديل منه استُلم في ${trAr.date('2025-03-05')}`,
    );
  });
});
