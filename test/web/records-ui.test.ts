/**
 * Exports and legal holds in the QA web UI, in Chromium against a real server: an admin lists a
 * lot, downloads its zip from the list (opened with yauzl: exactly the lot's records, with their
 * images and overlays), places a hold on the lot there and on a part from the part's page, lifts
 * the part's (each change read back from the API); a qa key sees the exports and the hold state,
 * and no hold buttons. Screenshots go to test-artifacts/web/.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzip } from '../helpers/unzip.js';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, SCREENSHOTS, type TestBrowser } from './browser.js';

const VIEWS = [
  { name: 'top', product: 'flange-top' },
  { name: 'side-left', product: 'flange-side' },
  { name: 'side-right', product: 'flange-side' },
];

let server: TestServer;
let admin: TestBrowser;
/** Inspection ids of lot LOT-EX (two parts of three views). */
const lotIds: string[] = [];

interface Hold {
  kind: string;
  value: string;
  reason: string;
}

async function postPart(part: string, lot: string): Promise<string[]> {
  const ids: string[] = [];
  for (const view of VIEWS) ids.push(await inspectionId(server, await greyPng(64, 64, 128), { product: 'flange', params: { part, view: view.name, lot } }));
  return ids;
}

async function holds(): Promise<Hold[]> {
  return ((await (await get(server, '/api/v1/legal-holds')).json()) as { items: Hold[] }).items;
}

async function signIn(page: Page, key: string, path: string): Promise<void> {
  await page.goto(`${server.url}/ui${path}`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  await buildUi();
  server = await startTestServer({ models: [{ product: 'flange-top' }, { product: 'flange-side' }] });
  expect((await post(server, '/api/v1/products/flange/views', { views: VIEWS, reason: 'three cameras' })).status).toBe(200);
  lotIds.push(...(await postPart('SN-EX-1', 'LOT-EX')), ...(await postPart('SN-EX-2', 'LOT-EX')));
  await postPart('SN-OTHER', 'LOT-OTHER');
  admin = await launchBrowser(server.url);
}, 300_000);

afterAll(async () => {
  await admin?.close();
  await server?.dispose();
});

describe('exports and legal holds in the QA web UI', () => {
  it("downloads a lot's zip from the list with exactly the lot's records, images and overlays", async () => {
    const page = admin.page;
    await signIn(page, server.keys.admin, '/inspections?lot=LOT-EX');
    await page.waitForFunction(() => document.querySelectorAll('tr.inspection-row').length === 6);
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Zip export of lot LOT-EX' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('kensa-lot-LOT-EX.zip');
    const entries = await unzip(await readFile((await download.path())!));

    const expected = [...lotIds].sort();
    const named = (folder: string, extension: string) =>
      [...entries.keys()].filter((name) => name.startsWith(`${folder}/`)).map((name) => name.slice(folder.length + 1, -extension.length - 1)).sort();
    expect(named('images', 'png')).toEqual(expected);
    expect(named('overlays', 'png')).toEqual(expected);
    const json = JSON.parse(entries.get('inspections.json')!.toString('utf8')) as { selection: Record<string, string>; items: { id: string; lot: string }[] };
    expect(json.selection).toEqual({ lot: 'LOT-EX' });
    expect(json.items.map((item) => item.id).sort()).toEqual(expected);
    expect(entries.get('inspections.csv')!.toString('utf8').trim().split('\r\n')).toHaveLength(1 + expected.length);
    expect(entries.has('README.txt')).toBe(true);
  });

  it('places a hold on the lot from the list and shows it', async () => {
    const page = admin.page;
    expect(await holds()).toEqual([]);
    await page.getByRole('button', { name: 'Place legal hold on lot LOT-EX' }).click();
    const dialog = page.getByRole('dialog', { name: 'Place lot LOT-EX on legal hold' });
    await dialog.getByLabel(/Reason/).fill('customer complaint 4711');
    await dialog.getByRole('button', { name: 'Place hold' }).click();
    await page.getByRole('button', { name: 'Lift legal hold on lot LOT-EX' }).waitFor();
    expect(await holds()).toEqual([expect.objectContaining({ kind: 'lot', value: 'LOT-EX', reason: 'customer complaint 4711' })]);
    expect(await page.locator('.records-panel .legal-hold[data-held="true"]').textContent()).toContain('customer complaint 4711');
    await shot(page, 'records-lot-held');
  });

  it("places and lifts a hold on a part from the part's page", async () => {
    const page = admin.page;
    await page.goto(`${server.url}/ui/parts/flange/SN-EX-1`);
    await page.getByRole('heading', { name: /Part SN-EX-1/, level: 1 }).waitFor();
    // the lot's hold shows here too, and on the part's verdict (its views are held)
    await page.getByRole('button', { name: 'Lift legal hold on lot LOT-EX' }).waitFor();
    expect(await page.locator('.part-verdict .badge-hold').count()).toBe(1);

    await page.getByRole('button', { name: 'Place legal hold on part SN-EX-1' }).click();
    await page.getByRole('dialog').getByLabel(/Reason/).fill('returned by the customer');
    await page.getByRole('dialog').getByRole('button', { name: 'Place hold' }).click();
    await page.getByRole('button', { name: 'Lift legal hold on part SN-EX-1' }).waitFor();
    expect(await holds()).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'part', value: 'SN-EX-1', reason: 'returned by the customer' })]));
    await shot(page, 'records-part-held');

    await page.getByRole('button', { name: 'Lift legal hold on part SN-EX-1' }).click();
    await page.getByRole('dialog').getByLabel(/Reason/).fill('complaint closed');
    await page.getByRole('dialog').getByRole('button', { name: 'Lift hold' }).click();
    await page.getByRole('button', { name: 'Place legal hold on part SN-EX-1' }).waitFor();
    expect((await holds()).map((hold) => `${hold.kind}:${hold.value}`)).toEqual(['lot:LOT-EX']);
  });

  it('lets a qa key export and see the holds, without hold buttons', async () => {
    const qa = await launchBrowser(server.url);
    try {
      const page = qa.page;
      await signIn(page, server.keys.qa, '/parts/flange/SN-EX-2');
      await page.getByRole('heading', { name: /Part SN-EX-2/, level: 1 }).waitFor();
      await page.locator('.records-panel .legal-hold').first().waitFor();
      expect(await page.locator('.records-panel .legal-hold[data-held="true"]').textContent()).toContain('customer complaint 4711');
      expect(await page.getByRole('button', { name: /legal hold/ }).count()).toBe(0);

      const downloading = page.waitForEvent('download');
      await page.getByRole('button', { name: 'CSV export of part SN-EX-2' }).click();
      const download = await downloading;
      const rows = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
      expect(rows).toHaveLength(1 + VIEWS.length);
      await shot(page, 'records-qa');
      expect(qa.scriptErrors).toEqual([]);
    } finally {
      await qa.close();
    }
  });

  it('sent nothing outside the server and raised no errors', () => {
    expect(admin.foreignRequests).toEqual([]);
    expect(admin.scriptErrors).toEqual([]);
    expect(admin.serverErrors).toEqual([]);
  });
});
