/**
 * The review queue page in Chromium against a real server, a page at a time: the first 50
 * entries, then "Load more" appends the rest in queue order. An entry reviewed meanwhile leaves
 * the queue without making the next page skip one (the API pages with a cursor, not an offset).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, type TestBrowser } from './browser.js';

const PAGE = 50;
const QUEUED = PAGE + 5;

let server: TestServer;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  const [, started] = await Promise.all([buildUi(), startTestServer()]);
  server = started;
  // every frame is queued: NG calls first, then sampled clear OK parts
  expect((await post(server, '/api/v1/products/widget/line-health-settings', { review: { okShare: 1, minIntervalMs: 0 } })).status).toBe(200);
  const [ok, ng] = await Promise.all([greyPng(32, 32, 128), greyPng(32, 32, 255)]);
  for (let n = 0; n < QUEUED; n++) await inspectionId(server, n % 10 === 0 ? ng : ok, { line: 'L1', camera: 'c1' });

  browser = await launchBrowser(server.url);
  page = browser.page;
  await page.goto(`${server.url}/ui/review-queue?product=widget`);
  await page.getByLabel('API key').fill(server.keys.qa);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Review queue', level: 1 }).waitFor();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

const shownIds = () => page.locator('table.review-queue tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));

describe('the review queue page', () => {
  it('shows the first page, then appends the next one on "Load more", skipping none reviewed meanwhile', async () => {
    const rows = page.locator('table.review-queue tbody tr');
    await rows.first().waitFor();
    const firstPage = await shownIds();
    expect(firstPage).toHaveLength(PAGE);

    const all = (await (await get(server, `/api/v1/review-queue?product=widget&limit=${QUEUED}`)).json()) as { items: { inspection: { id: string } }[] };
    expect(all.items.map((i) => i.inspection.id).slice(0, PAGE)).toEqual(firstPage);
    // QA reviews an entry of the page already shown: it leaves the queue
    expect((await post(server, `/api/v1/inspections/${firstPage[0]}/review`, { verdict: 'ok' }, 'qa')).status).toBe(201);

    await page.getByRole('button', { name: 'Load more' }).click();
    await rows.nth(QUEUED - 1).waitFor();
    expect(await shownIds()).toEqual(all.items.map((i) => i.inspection.id));
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    expect(browser.scriptErrors).toEqual([]);
    expect(browser.serverErrors).toEqual([]);
  });
});
