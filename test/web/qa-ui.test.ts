/**
 * The QA web UI in a real browser against a real server: the UI is built as `npm run build`
 * builds it, inspections are posted through the API by a camera key, and a reviewer signs in,
 * filters, opens an inspection, works the overlay and records verdicts from the keyboard. The
 * verdicts are then read from the SQLite file. Screenshots of every page go to
 * test-artifacts/web/.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModelPackage } from '../../src/model/model-package.js';
import { databasePath } from '../../src/store/database.js';
import { fixtureManifest, fixtureModelBytes } from '../helpers/fixture-model.js';
import { get, inspect, post, startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, SCREENSHOTS, TIME_ZONE, type TestBrowser } from './browser.js';
import { partImage, type Spot } from './part-images.js';

const HOUR = 3_600_000;
/** A shift: four inspections an hour on each of two lines. */
const SHIFT_HOURS = 12;

interface Posted {
  id: string;
  createdMs: number;
  line: string;
  decision: 'OK' | 'NG';
  score: number;
}

let server: TestServer;
let browser: TestBrowser;
let page: Page;
const posted: Posted[] = [];

async function writeModels(modelsDir: string): Promise<void> {
  const packages: { product: string; version: string; createdAt: string; metrics: Record<string, number> }[] = [
    { product: 'widget', version: '2025-02-01', createdAt: '2025-02-01T09:00:00.000Z', metrics: { imageAUROC: 0.962, pixelAUROC: 0.981, AUPRO: 0.913, F1: 0.884 } },
    { product: 'widget', version: '2025-03-01', createdAt: '2025-03-01T09:00:00.000Z', metrics: { imageAUROC: 0.978, pixelAUROC: 0.986, AUPRO: 0.931, F1: 0.902 } },
    { product: 'bracket', version: '2025-02-15', createdAt: '2025-02-15T09:00:00.000Z', metrics: { imageAUROC: 0.941, F1: 0.861 } },
  ];
  for (const pkg of packages) {
    const manifest = { ...fixtureManifest({ product: pkg.product, version: pkg.version, createdAt: pkg.createdAt }), metrics: pkg.metrics };
    await writeModelPackage(path.join(modelsDir, pkg.product, pkg.version), fixtureModelBytes(), manifest);
  }
}

/**
 * What each slot of the shift sees (slots 0 and 1 of each hour on line L1, 2 and 3 on L2): mostly
 * good parts, a clear defect on L1 every hour, and parts near the threshold on L2.
 */
function spotFor(slot: number, line: string, hoursAgo: number): Spot | null {
  const x = 60 + ((slot * 53) % 140);
  const y = 60 + ((slot * 97) % 140);
  if (slot % 4 === 1) return { x, y, radius: 12, level: slot % 8 === 1 ? 250 : 20 };
  // line L2 drifts late in the shift: more parts near and over the threshold
  if (line === 'L2' && hoursAgo < 4 && slot % 4 === 2) return { x, y, radius: 10, level: 205 };
  if (slot % 8 === 3) return { x, y, radius: 10, level: 200 };
  if (slot % 8 === 7) return { x, y, radius: 10, level: 184 };
  return null;
}

async function postShift(): Promise<void> {
  const db = new Database(databasePath(server.dataDir));
  try {
    const now = Date.now();
    let slot = 0;
    for (let hoursAgo = SHIFT_HOURS - 1; hoursAgo >= 0; hoursAgo--) {
      for (let k = 0; k < 4; k++, slot++) {
        const line = k < 2 ? 'L1' : 'L2';
        const camera = `cam-${(line === 'L1' ? 1 : 3) + (hoursAgo % 2)}`;
        const response = await inspect(server, await partImage(slot % 9, spotFor(slot, line, hoursAgo)), { line, camera });
        expect(response.status).toBe(200);
        const body = (await response.json()) as Posted;
        // The API stamps "now"; the shift's history is made by moving each row back in time.
        const createdMs = now - hoursAgo * HOUR - (3 - k) * 12 * 60_000;
        db.prepare('UPDATE inspections SET created_ms = ? WHERE id = ?').run(createdMs, body.id);
        posted.push({ id: body.id, createdMs, line, decision: body.decision, score: body.score });
      }
    }
  } finally {
    db.close();
  }
  // QA already went through the first half of the shift
  for (const item of posted.slice(0, posted.length / 2)) {
    const verdict = item.decision === 'NG' ? (item.score > 0.9 ? 'true_defect' : 'false_alarm') : item.score > 0.3 ? 'missed_defect' : 'ok';
    expect((await post(server, `/api/v1/inspections/${item.id}/review`, { verdict }, 'qa')).status).toBe(201);
  }
}

function reviewsOf(id: string): { verdict: string; note: string | null; reviewer: string | null }[] {
  const db = new Database(databasePath(server.dataDir), { readonly: true });
  try {
    return db
      .prepare('SELECT r.verdict, r.note, k.prefix AS reviewer FROM reviews r LEFT JOIN api_keys k ON k.id = r.reviewer_key_id WHERE r.inspection_id = ? ORDER BY r.id')
      .all(id) as { verdict: string; note: string | null; reviewer: string | null }[];
  } finally {
    db.close();
  }
}

/** An <input type="datetime-local"> value in the browser's time zone. */
function localMinute(ms: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(ms)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

const prefixOf = (key: string) => key.split('_')[1];
const shot = (name: string, fullPage = false) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
const nextEnabled = () => page.locator('.queue-nav button:not([disabled])', { hasText: 'Next' }).waitFor();
const idInUrl = () => new URL(page.url()).pathname.split('/').pop()!;

beforeAll(async () => {
  await buildUi();
  server = await startTestServer({ models: [] });
  await server.close();
  await writeModels(server.modelsDir);
  server = await server.restart();
  await postShift();
  browser = await launchBrowser(server.url);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

describe('the QA web UI in Chromium', () => {
  it('refuses a camera key with a reason, and signs in with a QA key', async () => {
    await page.goto(`${server.url}/`);
    const keyField = page.getByLabel('API key');
    await keyField.waitFor();
    await shot('login');

    await keyField.fill(server.keys.camera);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('camera key');
    expect(await alert.textContent()).toContain('QA, trainer or admin key');
    await shot('login-camera-key-refused');

    await keyField.fill('kensa_0000000000_not-a-key-not-a-key-not-a-key-00');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This API key is not valid').waitFor();

    await keyField.fill(server.keys.qa);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Inspections', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/ui/inspections');
    expect(await page.locator('.identity').textContent()).toContain('test qa');
  });

  it('filters the list in the URL, and a reload keeps the filter', async () => {
    await page.locator('tr.inspection-row').first().waitFor();
    expect(await page.locator('tr.inspection-row').count()).toBe(posted.length);

    await page.getByLabel('Decision').selectOption('NG');
    await page.waitForURL(/decision=NG/);
    await page.getByLabel('Line').selectOption('L1');
    await page.waitForURL(/line=L1/);
    const expected = posted.filter((p) => p.decision === 'NG' && p.line === 'L1');
    await page.waitForFunction((n) => document.querySelectorAll('tr.inspection-row').length === n, expected.length);
    const url = page.url();
    expect(new URL(url).searchParams.get('decision')).toBe('NG');

    await page.reload();
    await page.locator('tr.inspection-row').first().waitFor();
    expect(page.url()).toBe(url);
    expect(await page.getByLabel('Decision').inputValue()).toBe('NG');
    expect(await page.getByLabel('Line').inputValue()).toBe('L1');
    const ids = await page.locator('tr.inspection-row').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
    expect(new Set(ids)).toEqual(new Set(expected.map((p) => p.id)));
    expect(await page.locator('tr.inspection-row .badge-ok').count()).toBe(0);

    // score and time ranges, typed like a person would (a change commits on leaving the field)
    await page.getByLabel('Lowest score').fill('0.9');
    await page.keyboard.press('Tab');
    await page.waitForURL(/minScore=0\.9/);
    const high = expected.filter((p) => p.score >= 0.9);
    await page.waitForFunction((n) => document.querySelectorAll('tr.inspection-row').length === n, high.length);
    await page.getByLabel('Lowest score').fill('');
    await page.keyboard.press('Tab');
    await page.waitForURL((u) => !u.searchParams.has('minScore'));

    const since = Date.now() - 3 * HOUR;
    await page.getByLabel('From').fill(localMinute(since));
    await page.keyboard.press('Tab');
    const from = Math.floor(since / 60_000) * 60_000;
    await page.waitForURL((u) => u.searchParams.get('from') === new Date(from).toISOString());
    const recent = expected.filter((p) => p.createdMs >= from);
    await page.waitForFunction((n) => document.querySelectorAll('tr.inspection-row').length === n, recent.length);
    expect(recent.length).toBeLessThan(expected.length);
    await page.getByLabel('From').fill('');
    await page.keyboard.press('Tab');
    await page.waitForURL((u) => !u.searchParams.has('from'));

    // the thumbnails are real pictures (fetched with the key)
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('img.thumb')].filter((img) => img.naturalWidth > 0).length >= 3);
  });

  it('shows the unreviewed NG queue for the whole shift', async () => {
    await page.getByRole('button', { name: 'NG to review' }).click();
    await page.waitForURL(/review=unreviewed/);
    const expected = posted.slice(posted.length / 2).filter((p) => p.decision === 'NG' && p.line === 'L1');
    await page.waitForFunction((n) => document.querySelectorAll('tr.inspection-row').length === n, expected.length);
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('img.thumb')].every((img) => img.complete && img.naturalWidth > 0));
    await shot('inspections');
  });

  it('opens an inspection from the keyboard, toggles the overlay and changes its opacity', async () => {
    await page.keyboard.press('j');
    const first = await page.locator('tr.inspection-row').first().getAttribute('data-id');
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/ui/inspections/${first}\\?`));
    expect(new URL(page.url()).searchParams.get('review')).toBe('unreviewed');

    const image = page.locator('img.viewer-image');
    const heatmap = page.locator('img.viewer-heatmap');
    await image.waitFor();
    await heatmap.waitFor();
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);
    expect(await page.locator('.region-outline').count()).toBeGreaterThan(0);

    await page.keyboard.press('h');
    await heatmap.waitFor({ state: 'hidden' });
    await page.getByRole('switch', { name: /Heatmap/ }).click();
    await heatmap.waitFor({ state: 'visible' });

    await page.getByLabel('Opacity').fill('70');
    expect(await heatmap.evaluate((img) => getComputedStyle(img).opacity)).toBe('0.7');
    await page.keyboard.press(']');
    expect(await heatmap.evaluate((img) => getComputedStyle(img).opacity)).toBe('0.8');
    expect(await page.locator('.slider-value').textContent()).toBe('80%');
    await page.keyboard.press('o');
    expect(await page.locator('.region-outline').count()).toBe(0);
    await page.keyboard.press('o');
    await shot('inspection-detail');
  });

  it('records verdicts with the keyboard and moves through the queue', async () => {
    const first = idInUrl();
    await nextEnabled();
    const neighbors = (await (await get(server, `/api/v1/inspection-neighbors/${first}?decision=NG&line=L1&review=unreviewed`)).json()) as { next: string };
    expect(neighbors.next).toBeTruthy();

    await page.keyboard.press('n');
    await page.keyboard.type('glare on the edge, part is fine');
    await page.keyboard.press('Escape');
    await page.keyboard.press('2');
    await page.getByText('Recorded: False alarm.').waitFor();
    expect(reviewsOf(first)).toEqual([{ verdict: 'false_alarm', note: 'glare on the edge, part is fine', reviewer: prefixOf(server.keys.qa) }]);
    await page.locator('.review-history li', { hasText: 'glare on the edge' }).waitFor();
    await shot('inspection-reviewed');

    await page.keyboard.press('j');
    await page.waitForURL(new RegExp(`/ui/inspections/${neighbors.next}\\?`));
    await page.locator('img.viewer-image').waitFor();
    await nextEnabled();

    // a verdict and "next" at once: moving on waits until the verdict is stored
    const second = idInUrl();
    await page.keyboard.press('1');
    await page.keyboard.press('j');
    await page.waitForURL((url) => !url.pathname.endsWith(second));
    expect(reviewsOf(second)).toEqual([{ verdict: 'true_defect', note: null, reviewer: prefixOf(server.keys.qa) }]);

    // both reviewed inspections have left the unreviewed queue; the browser's history still has them
    await page.goBack();
    await page.waitForURL(new RegExp(`/ui/inspections/${second}\\?`));
    await page.locator('.verdict[aria-pressed="true"]', { hasText: 'True defect' }).waitFor();

    // u climbs back to the list, with the queue's filters
    await page.keyboard.press('u');
    await page.waitForURL(/\/ui\/inspections\?.*line=L1/);
  });

  it('draws the dashboard as charts', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('d');
    await page.waitForURL(/\/ui\/dashboard/);
    // the statistics' charts; line health below has its own (line-health-ui.test.ts)
    const stats = page.locator('.page > .chart-grid');
    await stats.locator('svg.chart-svg').first().waitFor();
    expect(await stats.locator('svg.chart-svg').count()).toBe(4);
    expect(await page.locator('.kpi', { hasText: 'Inspections' }).locator('.kpi-value').textContent()).toBe(String(posted.length));
    // ten histogram bins and the threshold line, one NG-rate line per production line, review outcome columns
    expect(await stats.locator('rect.bar-ok, rect.bar-ng').count()).toBe(10);
    expect(await stats.locator('line.threshold-line').count()).toBe(1);
    expect(await stats.locator('.chart-series.series-0 path.chart-line, .chart-series.series-1 path.chart-line').count()).toBe(2);
    expect(await stats.locator('rect.series-true-defect').count()).toBeGreaterThan(0);
    await shot('dashboard');
    await shot('dashboard-full', true);

    await page.locator('select[name="line"]').selectOption('L2');
    await page.waitForURL(/line=L2/);
    await page.waitForFunction(() => document.querySelectorAll('.page > .chart-grid .chart-series path.chart-line').length === 3);
  });

  it('lists model versions with calibration, metrics and the active one', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('heading', { name: 'widget' }).waitFor();
    const active = page.locator('.model-card-active');
    expect(await active.count()).toBe(2);
    expect(await page.locator('.model-card-active h3').allTextContents()).toEqual(['2025-02-15', '2025-03-01']);
    expect(await page.locator('.model-card', { hasText: '2025-02-01' }).locator('.metric', { hasText: 'AUPRO' }).textContent()).toContain('0.913');
    expect(await page.locator('.model-card', { hasText: '2025-02-01' }).locator('.badge-role-earlier').textContent()).toBe('Earlier');
    // a QA key is not offered retraining; rolling back is shown, disabled, for admins
    await page.locator('.role-note', { hasText: 'Retraining needs a trainer key' }).waitFor();
    expect(await page.getByRole('link', { name: /Retrain/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Roll back/ }).evaluateAll((buttons) => buttons.map((b) => (b as HTMLButtonElement).disabled))).toEqual([true, true]);
    await shot('models');
  });

  it('shows the keyboard shortcuts', async () => {
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await dialog.waitFor();
    await shot('shortcuts');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  });

  it('signs out; an admin key works too; a key revoked mid-shift ends the session with the reason', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    const keyField = page.getByLabel('API key');
    await keyField.fill(server.keys.admin);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.identity .role-admin').waitFor();

    const db = new Database(databasePath(server.dataDir));
    db.prepare('UPDATE api_keys SET revoked_ms = ? WHERE prefix = ?').run(Date.now(), prefixOf(server.keys.admin));
    db.close();
    await page.keyboard.press('g');
    await page.keyboard.press('i');
    await page.getByText('The server no longer accepts this API key').waitFor();
    await keyField.waitFor();
  });

  it('fetched nothing from anywhere else, and nothing failed', () => {
    expect(browser.foreignRequests).toEqual([]);
    expect(browser.scriptErrors).toEqual([]);
    expect(browser.serverErrors).toEqual([]);
  });
});
