/**
 * Line health in Chromium against a real server: a model package with a calibration reference,
 * one camera sending normal parts and one whose lamp dims. The dashboard must show each camera's
 * badge, the drift in words, the OK-score trend with the threshold and the calibration band, and
 * the image-quality trend; the review queue must say why each item is there; the inspection page
 * must put the frame's quality beside the reference; the Models page must count the reviewed good
 * images waiting for a retrain. Screenshots go to test-artifacts/web/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModelWithReference } from '../helpers/reference-model.js';
import { get, inspectionId, post, startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, SCREENSHOTS, type TestBrowser } from './browser.js';
import { partImage } from './part-images.js';

const SIDE = 64;
const WINDOW = 20;

let root: string;
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let okSample: string;

const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
const normal = (n: number) => partImage(n % 25, null, SIDE);

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kensa-health-ui-'));
  const models = path.join(root, 'models');
  const calibration = await Promise.all(Array.from({ length: 30 }, (_, i) => partImage(100 + i, null, SIDE)));
  await writeFixtureModelWithReference(models, calibration, { input: { policy: 'fill', size: SIDE, multiple: 1 } });
  const [, server0] = await Promise.all([buildUi(), startTestServer({ models: [], config: { modelsDir: models } })]);
  server = server0;
  const settings = { drift: { window: WINDOW, ngBaseline: WINDOW }, review: { okShare: 1, band: 0.1, minIntervalMs: 60_000, feedGoodSet: true } };
  expect((await post(server, '/api/v1/products/widget/line-health-settings', settings)).status).toBe(200);

  const send = async (camera: string, image: Buffer) => inspectionId(server, image, { line: 'L1', camera });
  okSample = await send('c-ok', await normal(0));
  for (let n = 1; n < 2 * WINDOW; n++) await send('c-ok', await normal(n));
  await send('c-ok', await partImage(7, { x: 32, y: 32, radius: 5, level: 184 }, SIDE)); // score 0.44: near the threshold
  await send('c-ok', await partImage(8, { x: 32, y: 32, radius: 5, level: 255 }, SIDE)); // NG
  for (let n = 0; n < 2 * WINDOW; n++) await send('c-dim', await normal(n));
  for (let n = 0; n < WINDOW; n++) await send('c-dim', await sharp(await normal(n)).linear(0.8, 0).png().toBuffer());
  // QA confirmed the sampled OK part: it joins the good set
  expect((await post(server, `/api/v1/inspections/${okSample}/review`, { verdict: 'ok' }, 'qa')).status).toBe(201);

  browser = await launchBrowser(server.url);
  page = browser.page;
  await page.goto(`${server.url}/ui/dashboard?product=widget`);
  await page.getByLabel('API key').fill(server.keys.qa);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('line health in the UI', () => {
  it('shows a badge per camera and the drift in words on the dashboard', async () => {
    const dim = page.locator('.camera-health', { hasText: 'camera c-dim' });
    await dim.locator('.badge').getByText('Drift').waitFor();
    expect(await dim.locator('.drift-explanation', { hasText: 'Brightness' }).textContent()).toMatch(/^Brightness fell \d+%.*Since /);
    expect(await page.locator('.camera-health', { hasText: 'camera c-ok' }).locator('.badge').textContent()).toBe('Healthy');
    const events = page.locator('table.drift-events tbody tr', { hasText: 'camera c-dim' });
    expect(await events.count()).toBeGreaterThan(0);
    expect(await events.first().textContent()).toContain('Open');
  });

  it("draws the drifting camera's OK-score trend with the threshold and calibration band, and its image quality", async () => {
    const trend = page.locator('svg[aria-label^="Mean OK score over time for Line L1 · camera c-dim"]');
    await trend.waitFor();
    expect(await trend.locator('circle.chart-dot').count()).toBeGreaterThan(0);
    expect(await trend.locator('.threshold-line').count()).toBe(1);
    expect(await trend.locator('rect.chart-band').count()).toBe(1);
    const quality = page.locator('svg[aria-label^="Image quality over time for Line L1 · camera c-dim"]');
    expect(await quality.locator('circle.chart-dot').count()).toBeGreaterThan(0);
    await shot('line-health-dashboard');

    // the other camera's trend on a click
    await page.locator('.camera-health', { hasText: 'camera c-ok' }).getByRole('button').click();
    await page.locator('svg[aria-label^="Mean OK score over time for Line L1 · camera c-ok"]').waitFor();
  });

  it('puts the dimmed frame beside the calibration on its page', async () => {
    await page.locator('table.drift-events tbody tr', { hasText: 'camera c-dim' }).first().getByRole('link', { name: 'frame' }).click();
    const panel = page.locator('section', { has: page.getByRole('heading', { name: 'Image quality' }) });
    const brightness = panel.locator('tr', { hasText: 'Brightness' });
    await brightness.waitFor();
    expect(await brightness.textContent()).toContain('outside');
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: path.join(SCREENSHOTS, 'line-health-inspection-quality.png') });
  });

  it('shows why each inspection is in the review queue, in priority order', async () => {
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();
    const rows = page.locator('table.review-queue tbody tr');
    await rows.first().waitFor();
    const reasons = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-reason')));
    // the confirmed OK sample left the queue; c-dim's first frame is its sampled OK part
    expect(reasons).toEqual(['ng', 'near-threshold', 'ok-sample']);
    expect(await rows.nth(0).textContent()).toContain('Called NG: every NG call is reviewed');
    expect(await rows.nth(1).textContent()).toContain('within 0.10 of the threshold');
    expect(await rows.nth(2).textContent()).toContain('random 100% sample of clear OK parts');
    await shot('line-health-review-queue');
  });

  it('counts the reviewed good images waiting for a retrain on the Models page', async () => {
    await page.getByRole('link', { name: 'Models' }).click();
    const waiting = page.locator('.good-set-waiting');
    await waiting.waitFor();
    expect(await waiting.textContent()).toMatch(/1 reviewed good image waits for a retrain/);
    // the API agrees
    expect(((await (await get(server, '/api/v1/products/widget/good-set/waiting')).json()) as { waiting: number }).waiting).toBe(1);
    expect(browser.scriptErrors).toEqual([]);
    expect(browser.serverErrors).toEqual([]);
    expect(browser.foreignRequests).toEqual([]);
  });
});
