/**
 * Photos on a slow phone: the real app, built and served by the real server, in Chromium at phone
 * size with its CPU slowed 4× (CDP). On a new report, `count` photos of about `megabytes` MB each are
 * chosen from the gallery at once (camera JPEGs of noise, each with its own EXIF, so none is the same
 * photo twice), and the run lasts until every thumbnail shows: each photo read, hashed and sealed
 * in a worker, its display copy drawn, its row written. The page counts its own long tasks meanwhile.
 *
 * The peer, in the same page and slowed alike: the same files put whole into IndexedDB as they are,
 * one transaction each, no hash, no seal, no display copy: the floor of keeping them at all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser } from '../chromium.ts';
import { photo } from '../domain/photo/jpeg-fixture.ts';
import { browserJpeg } from '../e2e/page-jpeg.ts';
import { startServer } from '../e2e/server-process.ts';
import { firstStart } from './unlock-list.ts';

const THROTTLE = 4;
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } as const;

export interface PhotoTimes {
  /** From the files chosen to the last thumbnail shown (ms). */
  kept: number;
  /** The peer: the same files put into IndexedDB whole (ms). */
  raw: number;
  /** Main-thread tasks over 50 ms while keeping them, by length (ms), longest first. */
  longTasks: number[];
  /** The photos' size, on average (bytes). */
  bytes: number;
}

export async function keepPhotos(count: number, megabytes: number): Promise<PhotoTimes> {
  const server = await startServer();
  const browser = await launchBrowser();
  const folder = mkdtempSync(join(tmpdir(), 'rasid-bench-photos-'));
  try {
    const context = await browser.newContext({ baseURL: server.baseUrl, ...PHONE, serviceWorkers: 'allow' });
    const page = await context.newPage();
    await page.goto('/');
    await firstStart(page);
    // Noise encodes to about 0.85 bytes a pixel at this quality: 4 MB is about 5 megapixels.
    const side = Math.round(Math.sqrt((megabytes * 1024 * 1024) / 0.85));
    const image = await browserJpeg(page, Math.round(side * 1.25), Math.round(side * 0.8));
    const files = Array.from({ length: count }, (_, i) => {
      const file = join(folder, `photo-${i + 1}.jpg`);
      writeFileSync(file, photo({ gps: false, xmp: false, camera: `Bench-Cam-${i + 1}`, image }));
      return file;
    });
    const bytes = image.length;

    await page.getByRole('button', { name: 'تقرير جديد' }).click();
    await page.getByRole('radiogroup', { name: 'نوع التقرير' }).getByRole('radio', { name: 'أضرار' }).check();
    const photos = page.getByRole('group', { name: 'الصور' });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    // As text: code run through tsx carries helpers the page does not have.
    await page.evaluate(`(() => {
      window.longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); }).observe({ type: 'longtask' });
    })()`);
    const t0 = Date.now();
    await photos.getByLabel('اختر من المعرض').setInputFiles(files);
    await page.waitForFunction((n) => document.querySelectorAll('fieldset img, [role="group"] img').length >= n, count, {
      timeout: 0,
      polling: 250,
    });
    const kept = Date.now() - t0;
    const longTasks = (await page.evaluate<number[]>('window.longTasks')).sort((a, b) => b - a);

    // The peer: the same files, whole, into a database of its own, in the same slowed page.
    const handle = await page.evaluateHandle(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      document.body.append(input);
      return input;
    });
    await handle.setInputFiles(files);
    const raw = await page.evaluate(`(async () => {
      const input = document.querySelector('body > input[type=file]');
      const db = await new Promise((resolve, reject) => {
        const req = indexedDB.open('raw-photos-peer', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('photos');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const t0 = performance.now();
      for (const [i, file] of [...input.files].entries()) {
        const bytes = await file.arrayBuffer();
        await new Promise((resolve, reject) => {
          const tx = db.transaction('photos', 'readwrite', { durability: 'strict' });
          tx.objectStore('photos').put(bytes, i);
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
      }
      return performance.now() - t0;
    })()`);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    return { kept, raw: raw as number, longTasks, bytes };
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await browser.close();
    await server.stop();
  }
}
