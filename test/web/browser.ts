/**
 * Debian's Chromium, headless, driven by playwright-core: a fresh profile per launch, the line
 * PC's 1366x768 screen, and a record of every request that left the server under test (there
 * must be none: the UI works offline), of server errors, and of every script error.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where the browser tests leave their screenshots (CI artifacts). */
export const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'web');

/** The production UI bundle the server serves, built as `npm run build` does, and the screenshot folder. */
export async function buildUi(): Promise<void> {
  await build({ configFile: path.join(ROOT, 'src/web/vite.config.ts'), mode: 'production', logLevel: 'warn' });
  await mkdir(SCREENSHOTS, { recursive: true });
}

export const CHROMIUM = '/usr/bin/chromium';
/** The line PC's clock is not UTC: times typed and shown are local, times sent are ISO. */
export const TIME_ZONE = 'Asia/Tokyo';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export interface TestBrowser {
  page: Page;
  context: BrowserContext;
  /** URLs requested outside `origin`. */
  foreignRequests: string[];
  /** Uncaught exceptions and console errors of the page (failed requests aside: a refused key is a 401 by design). */
  scriptErrors: string[];
  /** Responses with a 5xx status. */
  serverErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(origin: string): Promise<TestBrowser> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'kensa-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1366, height: 768 },
    locale: 'en-US',
    timezoneId: TIME_ZONE,
  });
  const foreignRequests: string[] = [];
  const scriptErrors: string[] = [];
  const serverErrors: string[] = [];
  context.on('response', (response) => {
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.url()}`);
  });
  context.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith('blob:') && !url.startsWith('data:')) foreignRequests.push(url);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => scriptErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) scriptErrors.push(message.text());
  });
  return {
    page,
    context,
    foreignRequests,
    scriptErrors,
    serverErrors,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
