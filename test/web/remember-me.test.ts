/**
 * "Keep me signed in on this PC" in Chromium, with the page's clock moved on: the key survives
 * reloads within a shift (12 hours from sign-in, however much it was used), is asked for again
 * after it, and a key remembered by an older kensa without an expiry is not taken.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, type TestBrowser } from './browser.js';

const HOUR = 3_600_000;

let server: TestServer;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  await buildUi();
  server = await startTestServer();
  browser = await launchBrowser(server.url);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
});

const signedIn = () => page.getByRole('heading', { name: 'Inspections', level: 1 }).waitFor();
const askedForKey = () => page.getByLabel('API key').waitFor();
const storedEntry = () => page.evaluate(() => window.localStorage.getItem('kensa.apiKey'));

async function signInRemembered(): Promise<void> {
  await askedForKey();
  await page.getByLabel('API key').fill(server.keys.qa);
  await page.getByLabel('Keep me signed in on this PC').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signedIn();
}

describe('a remembered key', () => {
  it('lasts one shift from sign-in, used or not, then the UI asks for the key again', async () => {
    const start = Date.now();
    await page.clock.install({ time: start });
    await page.goto(`${server.url}/`);
    await signInRemembered();

    await page.clock.setSystemTime(start + 11 * HOUR);
    await page.reload();
    await signedIn();

    await page.clock.setSystemTime(start + 12 * HOUR + 60_000);
    await page.reload();
    await askedForKey();
    expect(await storedEntry()).toBeNull();
  });

  it('is fresh again after the next sign-in', async () => {
    await signInRemembered();
    await page.reload();
    await signedIn();
    expect(await page.locator('.identity').textContent()).toContain('test qa');
  });

  it('is not taken when stored without an expiry, as older versions did', async () => {
    await page.evaluate((key) => window.localStorage.setItem('kensa.apiKey', key), server.keys.qa);
    await page.reload();
    await askedForKey();
    expect(await storedEntry()).toBeNull();
  });

  it('fetched nothing from anywhere else, and nothing failed', () => {
    expect(browser.foreignRequests).toEqual([]);
    expect(browser.scriptErrors).toEqual([]);
    expect(browser.serverErrors).toEqual([]);
  });
});
