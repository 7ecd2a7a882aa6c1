/**
 * Multi-view parts in the QA web UI, in Chromium against a real server: three cameras post the
 * views of a few parts, a reviewer searches the list by serial, opens the part, sees its three
 * views side by side with their heatmaps and verdicts, and reviews one view and then the part as
 * a whole. The reviews are read back from the SQLite file. Screenshots go to test-artifacts/web/.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/store/database.js';
import { inspect, post, startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, SCREENSHOTS, type TestBrowser } from './browser.js';
import { partImage } from './part-images.js';

const VIEWS = [
  { name: 'top', product: 'flange-top' },
  { name: 'side-left', product: 'flange-side' },
  { name: 'side-right', product: 'flange-side' },
];

let server: TestServer;
let browser: TestBrowser;
let page: Page;
/** View name to inspection id, of the part under review. */
const views = new Map<string, string>();

async function postPart(part: string, defectOn: string | null, seed: number): Promise<void> {
  for (const [i, view] of VIEWS.entries()) {
    const spot = view.name === defectOn ? { x: 120, y: 90, radius: 14, level: 250 } : null;
    const response = await inspect(server, await partImage(seed + i, spot), { product: 'flange', params: { part, view: view.name, lot: 'LOT-UI', station: 'ST4' } });
    expect(response.status).toBe(200);
    if (part === 'SN-UI-1') views.set(view.name, ((await response.json()) as { id: string }).id);
  }
}

function reviewsOf(id: string): string[] {
  const db = new Database(databasePath(server.dataDir), { readonly: true });
  try {
    return db.prepare('SELECT verdict FROM reviews WHERE inspection_id = ? ORDER BY id').pluck().all(id) as string[];
  } finally {
    db.close();
  }
}

const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
const rows = () => page.locator('tr.inspection-row');

beforeAll(async () => {
  await buildUi();
  server = await startTestServer({ models: [{ product: 'flange-top' }, { product: 'flange-side' }] });
  expect((await post(server, '/api/v1/products/flange/views', { views: VIEWS, reason: 'three cameras' })).status).toBe(200);
  await postPart('SN-UI-1', 'top', 1);
  await postPart('SN-UI-2', null, 4);
  await inspect(server, await partImage(9, null), { product: 'flange-top' });
  browser = await launchBrowser(server.url);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('multi-view parts in the QA web UI', () => {
  it('finds every view of a part by its serial', async () => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('API key').fill(server.keys.qa);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await rows().first().waitFor();
    expect(await rows().count()).toBe(7);

    await page.getByLabel('Serial').fill('SN-UI-1');
    await page.keyboard.press('Enter');
    await page.waitForURL(/part=SN-UI-1/);
    await page.waitForFunction(() => document.querySelectorAll('tr.inspection-row').length === 3);
    const ids = await rows().evaluateAll((found) => found.map((row) => (row as HTMLElement).dataset.id));
    expect(new Set(ids)).toEqual(new Set(views.values()));
    expect(await page.locator('.cell-part .view-chip').allTextContents()).toEqual(expect.arrayContaining(['top', 'side-left', 'side-right']));
    await shot('parts-search-by-serial');
  });

  it('opens the part and shows its three views side by side, each with its heatmap and verdict', async () => {
    await page.locator('a.part-link').first().click();
    await page.getByRole('heading', { name: /Part SN-UI-1/, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/ui/parts/flange/SN-UI-1');
    const cards = page.locator('section.part-view');
    await page.waitForFunction(() => document.querySelectorAll('section.part-view img.viewer-heatmap').length === 3);
    expect(await cards.evaluateAll((found) => found.map((card) => (card as HTMLElement).dataset.view))).toEqual(['top', 'side-left', 'side-right']);
    for (const card of await cards.all()) {
      await card.locator('img.viewer-image').waitFor();
      expect(await card.locator('img.viewer-image').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(256);
    }
    expect(await cards.locator('.panel-heading .badge').allTextContents()).toEqual(['NG', 'OK', 'OK']);
    // side by side: one row of three
    const tops = await cards.evaluateAll((found) => found.map((card) => Math.round(card.getBoundingClientRect().top)));
    expect(new Set(tops).size).toBe(1);
    expect(await page.locator('.part-verdict .badge').first().textContent()).toBe('NG');
    expect(await page.locator('.part-status').textContent()).toContain('Complete');
    await shot('part-three-views');
  });

  it('reviews one view, then the part as a whole', async () => {
    const top = page.locator('section.part-view[data-view="top"]');
    await top.getByRole('button', { name: 'True defect' }).click();
    await top.locator('.review', { hasText: 'True defect' }).waitFor();
    expect(reviewsOf(views.get('top')!)).toEqual(['true_defect']);

    await page.getByLabel(/Note/).fill('glare, not a burr');
    await page.getByRole('button', { name: /Part good/ }).click();
    await page.getByText('Recorded: part good.').waitFor();
    expect(reviewsOf(views.get('top')!)).toEqual(['true_defect', 'false_alarm']);
    expect(reviewsOf(views.get('side-left')!)).toEqual(['ok']);
    expect(reviewsOf(views.get('side-right')!)).toEqual(['ok']);
    await page.getByText('3 of 3 views reviewed').waitFor();
    await shot('part-reviewed');
  });

  it('sent nothing outside the server and raised no errors', () => {
    expect(browser.foreignRequests).toEqual([]);
    expect(browser.scriptErrors).toEqual([]);
    expect(browser.serverErrors).toEqual([]);
  });
});
