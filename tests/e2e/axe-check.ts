/**
 * axe-core, the accessibility rules engine, run on what a page shows. The app's CSP forbids inline
 * scripts, so axe is evaluated into the page by the browser's own protocol, as a developer's console would.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface Found {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The serious and critical violations on what the page shows now. */
export async function violations(page: Page): Promise<Found[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(
            c: Document,
            o: object,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) }));
  });
}

/** The rules did run: a button with no name, put on the page, is found. */
export async function expectRulesRan(page: Page): Promise<void> {
  await page.evaluate(() => document.body.append(document.createElement('button')));
  expect((await violations(page)).map((v) => v.id)).toContain('button-name');
}
