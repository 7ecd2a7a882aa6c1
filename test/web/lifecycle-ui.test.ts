/**
 * Retraining and the model lifecycle in the web UI, in a real browser against a real server with
 * real training jobs (the Gaussian method on small synthetic images: seconds each). A QA engineer
 * is not offered retraining. A trainer uploads a good set by drag and drop, follows the job, sees
 * the new version wait for an admin, has bad uploads refused with the server's reasons, and trains
 * a candidate from a zip with the file picker. An admin switches shadow mode off and on, sees where
 * the candidate disagrees with live decisions, promotes it, rolls back, re-calibrates a threshold,
 * and cancels a job; a false alarm QA reviewed joins the good set with one key. What the UI did is checked through the API. Screenshots of every new
 * screen go to test-artifacts/web/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, lifecycleMaterial, type UploadFile } from '../jobs/helpers.js';
import { writeZip } from '../jobs/zip-writer.js';
import { get, inspect, post, startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, SCREENSHOTS, type TestBrowser } from './browser.js';
import { dropFiles } from './drop-files.js';

const PRODUCT = 'flange';
/** Long enough for a Gaussian job on 24 images of 128 px on two busy cores. */
const JOB_MS = 90_000;

let server: TestServer;
let browser: TestBrowser;
let page: Page;
let scratch: string;
let flange: UploadFile[];
let metal: UploadFile[];
/** Test images of the flange dataset: good parts and defective ones. */
let goodParts: Buffer[];
let defects: Buffer[];
/** The first version (trained on flanges) and the candidate (trained on another-looking part). */
let first: string;
let candidate: string;

interface InspectionJson {
  id: string;
  modelVersion: string;
  decision: 'OK' | 'NG';
  threshold: number;
}

async function inspectFlange(image: Uint8Array): Promise<InspectionJson> {
  const response = await inspect(server, image, { product: PRODUCT, line: 'L1', camera: 'cam-1' });
  expect(response.status).toBe(200);
  return response.json() as Promise<InspectionJson>;
}

async function api<T>(route: string, role: 'qa' | 'admin' = 'qa'): Promise<T> {
  const response = await get(server, route, role);
  expect(response.status, route).toBe(200);
  return response.json() as Promise<T>;
}

const shot = (name: string, fullPage = false) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
const asPayload = (file: UploadFile) => ({ name: file.name, mimeType: 'image/png', buffer: Buffer.from(file.bytes) });

async function signIn(key: string): Promise<void> {
  await page.goto(`${server.url}/ui/models`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Models', level: 1 }).waitFor();
}

/** The retraining form's options for a quick job (the files are chosen separately). */
async function chooseOptions(method: 'gaussian' | 'dxmi'): Promise<void> {
  await page.getByLabel('Method').selectOption(method);
  const advanced = page.locator('details.advanced');
  if (!(await advanced.evaluate((details: HTMLDetailsElement) => details.open))) await advanced.locator('summary').click();
  await page.getByLabel('Input size (px)').fill('128');
}

/** Starts the job from the filled form; returns its id once its page is open. */
async function startTraining(): Promise<string> {
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForURL(/\/ui\/training\/[0-9A-Z]+$/i, { timeout: JOB_MS });
  return new URL(page.url()).pathname.split('/').pop()!;
}

/** Waits for the job page to show success; returns the new version's name. */
async function jobSucceeds(id: string): Promise<string> {
  await page.locator('.job-status-succeeded').waitFor({ timeout: JOB_MS });
  const job = await api<{ status: string; modelVersion: string }>(`/api/v1/jobs/${id}`);
  expect(job.status).toBe('succeeded');
  await page.getByRole('heading', { name: `Version ${job.modelVersion} is ready` }).waitFor();
  return job.modelVersion;
}

/** Opens the admin action's dialog, checks a reason is required, gives one and confirms. */
async function confirmWithReason(button: string, dialogName: string | RegExp, confirm: string, reason: string, screenshot?: string): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.waitFor();
  const confirmButton = dialog.getByRole('button', { name: confirm, exact: true });
  expect(await confirmButton.isDisabled()).toBe(true);
  await dialog.getByLabel(/Reason/).fill(reason);
  expect(await confirmButton.isEnabled()).toBe(true);
  if (screenshot) await shot(screenshot);
  await confirmButton.click();
  await dialog.waitFor({ state: 'hidden' });
}

async function auditReasons(action: string): Promise<(string | null)[]> {
  const audit = await api<{ items: { action: string; detail: { reason?: string } }[] }>('/api/v1/audit', 'admin');
  return audit.items.filter((entry) => entry.action === action).map((entry) => entry.detail.reason ?? null);
}

beforeAll(async () => {
  await buildUi();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'kensa-lifecycle-ui-'));
  ({ flange, metal, goodParts, defects } = await lifecycleMaterial(scratch));
  server = await startTestServer({ models: [] });
  browser = await launchBrowser(server.url);
  page = browser.page;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('retraining from the web UI', () => {
  it('signs in as QA: no products yet, no way to retrain, and what needs another key explained', async () => {
    await signIn(server.keys.qa);
    await page.getByText('No products yet').waitFor();
    await page.locator('.role-note', { hasText: 'Retraining needs a trainer key' }).waitFor();
    expect(await page.getByRole('link', { name: /Retrain/ }).count()).toBe(0);
    await page.goto(`${server.url}/ui/training`);
    await page.locator('.role-note', { hasText: 'Retraining needs a trainer or admin key.' }).waitFor();
    expect(await page.getByRole('button', { name: 'Start training' }).count()).toBe(0);
  });

  it('signs in as a trainer: a way to retrain, and admin actions explained', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(server.keys.trainer);
    await page.locator('.role-note', { hasText: 'need an admin key' }).waitFor();
    await page.keyboard.press('r');
    await page.waitForURL(/\/ui\/training$/);
    await page.getByRole('heading', { name: 'Retrain', level: 1 }).waitFor();
    // a trainer uploads; the server-folder source is for admins
    expect(await page.getByRole('button', { name: 'Folder on the server' }).count()).toBe(0);
  });

  it('refuses bad uploads with the reason the server gives', async () => {
    await page.getByLabel('Product', { exact: true }).fill(PRODUCT);
    await page.getByText('A new product: its first version waits for an admin to activate it').waitFor();
    await chooseOptions('gaussian');
    const picker = page.getByLabel('Images or zip archives');
    const refusal = page.locator('.refusal');

    const notes = { name: 'shift-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('camera 2 was cleaned at 06:00') };
    await picker.setInputFiles([...flange.slice(0, 12).map(asPayload), notes]);
    await page.getByText('13 files chosen').waitFor();
    await page.getByRole('button', { name: 'Start training' }).click();
    await refusal.waitFor();
    expect(await refusal.locator('strong').textContent()).toBe('Some files are not readable images');
    expect(await refusal.textContent()).toContain('shift-notes.txt');
    expect(new URL(page.url()).pathname).toBe('/ui/training');
    await shot('retrain-refused-not-images');

    await page.getByRole('button', { name: 'Clear' }).click();
    await picker.setInputFiles(flange.slice(0, 5).map(asPayload));
    await page.getByRole('button', { name: 'Start training' }).click();
    await refusal.locator('strong', { hasText: 'Too few images' }).waitFor();
    expect(await refusal.textContent()).toMatch(/5 readable images; training needs at least 10/);
    await shot('retrain-refused-too-few');

    await page.getByRole('button', { name: 'Clear' }).click();
    await picker.setInputFiles([{ name: 'parts.zip', mimeType: 'application/zip', buffer: writeZip([]) }]);
    await page.getByRole('button', { name: 'Start training' }).click();
    await refusal.locator('strong', { hasText: 'The zip archive is empty' }).waitFor();
    expect((await api<{ items: unknown[] }>('/api/v1/jobs')).items).toEqual([]);
    await page.getByRole('button', { name: 'Clear' }).click();
  });

  it('uploads a good set by drag and drop and follows the job to its end; an admin activates the version', async () => {
    await dropFiles(
      page.getByRole('group', { name: 'Drop zone for training images' }),
      flange.map((file) => ({ name: file.name, bytes: file.bytes, type: 'image/png' })),
    );
    await page.getByText('24 files chosen').waitFor();
    expect(await page.locator('.file-list li').count()).toBe(24);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('retrain-form');

    // a slow line-PC network, so the upload's progress can be seen
    const devtools = await page.context().newCDPSession(page);
    await devtools.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 300 * 1024 });
    await page.getByRole('button', { name: 'Start training' }).click();
    const upload = page.getByRole('progressbar', { name: 'Upload' });
    await upload.waitFor();
    await page.waitForFunction(() => (document.querySelector<HTMLProgressElement>('.upload-progress progress')?.value ?? 0) > 0.2);
    await page.getByText(/KiB of 8\d\d KiB sent/).waitFor();
    await shot('retrain-uploading');
    await devtools.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await devtools.detach();
    await page.waitForURL(/\/ui\/training\/[0-9A-Z]+$/i, { timeout: JOB_MS });
    const id = new URL(page.url()).pathname.split('/').pop()!;
    first = await jobSucceeds(id);
    expect(await page.locator('.stage-step-done').count()).toBe(4);
    expect(await page.getByRole('progressbar', { name: 'Training progress' }).evaluate((bar: HTMLProgressElement) => bar.value)).toBe(1);
    await page.getByText('flange has no active version yet: an admin activates this one.').waitFor();
    await page.locator('.job-facts', { hasText: '24 uploaded' }).waitFor();
    await shot('training-job-succeeded');
    expect((await api<{ items: { id: string; activeVersion: string | null }[] }>('/api/v1/products')).items).toMatchObject([{ id: PRODUCT, activeVersion: null }]);
    expect((await post(server, `/api/v1/models/${PRODUCT}/${first}/activate`, { reason: 'first model, checked' }, 'admin')).status).toBe(200);
    const products = await api<{ items: { id: string; activeVersion: string }[] }>('/api/v1/products');
    expect(products.items).toMatchObject([{ id: PRODUCT, activeVersion: first }]);
  });

  it('shows the new version as active with its metrics, and the job in the product\'s list', async () => {
    await page.getByRole('link', { name: '← Models' }).click();
    const card = page.locator('.model-card', { hasText: first });
    await card.waitFor();
    expect(await card.locator('.badge-role-active').textContent()).toBe('Active');
    expect(Number(await card.locator('.metric', { hasText: 'validationImages' }).locator('.metric-value').textContent())).toBeGreaterThanOrEqual(2);
    const jobRow = page.locator('.jobs-table tbody tr', { hasText: first });
    expect(await jobRow.locator('.job-status').textContent()).toBe('Succeeded');
    expect(await jobRow.textContent()).toContain(`key ${server.keys.trainer.split('_')[1]}`);
    // a trainer sees the admin action, disabled, and why
    const rollback = page.getByRole('button', { name: /Roll back/ });
    expect(await rollback.isDisabled()).toBe(true);
    expect(await rollback.getAttribute('title')).toBe('Needs an admin key');
  });

  it('trains a candidate from a zip chosen with the file picker; it is compared side by side and scores in shadow mode', async () => {
    // review material for the comparison and the thresholds: defects the line caught or missed, and a good part
    for (const inspection of await Promise.all(defects.slice(0, 3).map(inspectFlange))) {
      const verdict = inspection.decision === 'NG' ? 'true_defect' : 'missed_defect';
      expect((await post(server, `/api/v1/inspections/${inspection.id}/review`, { verdict }, 'qa')).status).toBe(201);
    }
    const good = await inspectFlange(goodParts[1]);
    expect((await post(server, `/api/v1/inspections/${good.id}/review`, { verdict: good.decision === 'NG' ? 'false_alarm' : 'ok' }, 'qa')).status).toBe(201);

    await page.getByRole('link', { name: 'Retrain…', exact: true }).click();
    await page.waitForURL(/\/ui\/training\?product=flange$/);
    expect(await page.getByLabel('Product', { exact: true }).inputValue()).toBe(PRODUCT);
    await page.getByText(`compared with the active version ${first}`).waitFor();
    await chooseOptions('gaussian');
    const archive = writeZip(metal.map((file) => ({ name: `new-supplier/${file.name}`, data: file.bytes })));
    await page.getByLabel('Images or zip archives').setInputFiles([{ name: 'new-supplier.zip', mimeType: 'application/zip', buffer: archive }]);
    await page.getByText('1 zip archive').waitFor();
    const id = await startTraining();
    candidate = await jobSucceeds(id);
    await page.getByText(`scores live traffic in shadow mode beside the active version ${first}`).waitFor();

    await page.getByRole('link', { name: 'Open the comparison →' }).click();
    await page.waitForURL(new RegExp(`/ui/models/flange/${candidate}$`));
    const table = page.locator('.comparison-table');
    await table.waitFor();
    expect(await table.locator('thead').textContent()).toContain(first);
    expect(await table.locator('thead').textContent()).toContain(candidate);
    const comparison = await api<{ baseline: { metrics: { falseCalls: number } }; candidate: { metrics: { falseCalls: number } }; verdict: { reasons: string[] } }>(
      `/api/v1/models/flange/${candidate}/comparison`,
    );
    const falseCalls = table.locator('tbody tr', { hasText: 'False calls' }).locator('td');
    expect(await falseCalls.nth(0).locator('.num').first().textContent()).toBe(String(comparison.baseline.metrics.falseCalls));
    expect(await falseCalls.nth(1).locator('.num').first().textContent()).toBe(String(comparison.candidate.metrics.falseCalls));
    expect(await page.locator('.reason-list li').allTextContents()).toEqual(comparison.verdict.reasons);
    expect(await page.locator('.material div', { hasText: 'Reviewed defects' }).locator('dd').textContent()).toBe('3');
    expect(await page.locator('.version-header .badge-role-shadow').textContent()).toBe('Shadow');
    expect(await page.getByRole('button', { name: /Promote to active/ }).isDisabled()).toBe(true);
    await shot('version-comparison');

    await page.getByRole('link', { name: '← Models' }).click();
    await page.locator('.model-card', { hasText: candidate }).locator('.badge-role-shadow').waitFor();
    await page.locator('.lifecycle-strip', { hasText: candidate }).waitFor();
    await shot('models-trainer');
  });
});

describe('the model lifecycle for an admin', () => {
  it('switches shadow mode off and on with reasons, and lists where the candidate disagrees with live decisions', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(server.keys.admin);
    await page.goto(`${server.url}/ui/models/flange/${candidate}/shadow`);
    await page.locator('.version-header .badge-role-shadow').waitFor();

    await confirmWithReason('Stop shadow scoring…', `Stop shadow scoring with ${candidate}`, 'Stop shadow scoring', 'pause during line changeover');
    await page.locator('.version-header .badge-role-candidate').waitFor();
    expect((await api<{ shadowVersion: string | null }>('/api/v1/products/flange/shadow')).shadowVersion).toBeNull();
    await confirmWithReason('Score in shadow mode…', `Score live traffic with ${candidate}`, 'Start shadow scoring', 'watch the new supplier parts');
    await page.locator('.version-header .badge-role-shadow').waitFor();
    expect(await auditReasons('model.shadow.start')).toContain('watch the new supplier parts');
    expect(await auditReasons('model.shadow.stop')).toEqual(['pause during line changeover']);

    const live = await Promise.all(goodParts.slice(0, 4).map(inspectFlange));
    expect(live.every((inspection) => inspection.modelVersion === first && inspection.decision === 'OK')).toBe(true);
    // shadow scoring runs when the server is idle: wait until it scored them, then refresh the page
    const results = await eventually(async () => {
      const scored = await api<{ summary: { scored: number; disagreements: number }; items: { inspection: { id: string } }[] }>(`/api/v1/models/flange/${candidate}/shadow-results`);
      return scored.summary.scored >= live.length ? scored : null;
    }, 30_000);
    expect(results.summary.disagreements).toBeGreaterThanOrEqual(3);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator('.kpi', { hasText: 'Disagreements' }).locator('.kpi-value', { hasText: String(results.summary.disagreements) }).waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('tr.shadow-row').length === n, results.items.length);
    const listed = await page.locator('tr.shadow-row').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.id));
    expect(listed).toEqual(results.items.map((item) => item.inspection.id));
    const row = page.locator(`tr.shadow-row[data-id="${listed[0]}"]`);
    expect(await row.locator('td').nth(3).locator('.badge').textContent()).toBe('OK');
    expect(await row.locator('td').nth(4).locator('.badge').textContent()).toBe('NG');
    await page.waitForFunction(() => [...document.querySelectorAll<HTMLImageElement>('tr.shadow-row img.thumb')].every((img) => img.complete && img.naturalWidth > 0));
    await shot('version-shadow');

    // a thumbnail opens the inspection
    await row.locator('a.thumb-link').click();
    await page.waitForURL(new RegExp(`/ui/inspections/${listed[0]}$`));
    await page.goBack();
    await page.locator('tr.shadow-row').first().waitFor();
  });

  it('promotes the candidate with a reason; new inspections are decided by it, as their rows show', async () => {
    await confirmWithReason('Promote to active…', `Promote ${candidate}`, 'Promote', 'new supplier from March', 'promote-dialog');
    await page.locator('.version-header .badge-role-active').waitFor();
    const after = await inspectFlange(goodParts[2]);
    expect(after.modelVersion).toBe(candidate);
    expect(await auditReasons('model.activate')).toContain('new supplier from March');

    await page.goto(`${server.url}/ui/inspections?product=flange`);
    const newest = page.locator('tr.inspection-row').first();
    await newest.waitFor();
    expect(await newest.getAttribute('data-id')).toBe(after.id);
    expect(await newest.locator('.cell-model').textContent()).toBe(candidate);
    await shot('inspections-after-promotion');
  });

  it('rolls back with a reason; the change log says who, when and why', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('m');
    await page.locator('.lifecycle-strip', { hasText: candidate }).waitFor();
    await confirmWithReason('Roll back…', 'Roll back flange', 'Roll back', 'too many false calls on shift B');
    await page.locator('.model-card', { hasText: first }).locator('.badge-role-active').waitFor();
    expect((await inspectFlange(goodParts[2])).modelVersion).toBe(first);

    const rollback = page.locator('.change-model-rollback').first();
    await rollback.waitFor();
    expect(await rollback.textContent()).toContain('too many false calls on shift B');
    expect(await rollback.textContent()).toContain('first admin key');
    expect(await rollback.textContent()).toContain(`flange/${first}`);
    expect(await page.locator('.change-model-activate', { hasText: 'new supplier from March' }).count()).toBe(1);
    await shot('models-admin');
    await shot('models-admin-full', true);
  });

  it('re-calibrates the threshold from the reviewed inspections, and resets it', async () => {
    await page.goto(`${server.url}/ui/models/flange/${first}`);
    await page.locator('.comparison-table').waitFor();
    await page.keyboard.press('t');
    await page.waitForURL(new RegExp(`/ui/models/flange/${first}/threshold$`));
    await page.locator('.chart-series.series-escape path.chart-line').waitFor();
    expect(await page.locator('.chart-series.series-false-call path.chart-line').count()).toBe(1);
    expect(await page.locator('.threshold-marker.marker-calibrated').textContent()).toBe('calibrated, in force');

    const before = await api<{ center: number; currentThreshold: number; calibratedThreshold: number; reviewed: { good: number; defect: number } }>(
      `/api/v1/models/flange/${first}/thresholds`,
    );
    expect(before.reviewed.defect).toBe(3);
    // the candidates, one down with the keyboard on the slider
    const threshold = page.getByLabel('Threshold (raw score)');
    await page.getByLabel('Candidate thresholds').focus();
    await page.keyboard.press('ArrowLeft');
    expect(Number(await threshold.inputValue())).toBeLessThan(before.currentThreshold);
    await page.locator('.threshold-marker.marker-selected').waitFor();
    await page.locator('.threshold-table .row-selected').waitFor();

    // or a threshold of one's own, between the good-part median and the calibrated threshold
    const chosen = Number(((before.center + before.currentThreshold) / 2).toPrecision(4));
    await threshold.fill(String(chosen));
    await threshold.press('Tab');
    const expected = await api<{ rates: { escapes: number }[] }>(`/api/v1/models/flange/${first}/thresholds?thresholds=${chosen}`);
    await page.locator('.threshold-readout', { hasText: `${expected.rates[0].escapes} of 3` }).waitFor();
    await shot('version-threshold');

    await confirmWithReason('Apply threshold…', `Apply threshold ${chosen.toPrecision(4)}`, 'Apply threshold', 'catch the faint scratches');
    await page.locator('.badge-override').waitFor();
    const applied = await api<{ currentThreshold: number }>(`/api/v1/models/flange/${first}/thresholds`);
    expect(applied.currentThreshold).toBe(chosen);
    expect((await inspectFlange(goodParts[3])).threshold).toBe(chosen);
    await page.getByText(/^Applied: /).waitFor();

    await confirmWithReason('Reset to calibrated…', 'Reset to the calibrated threshold', 'Reset', 'back to calibration');
    await page.locator('.badge-override').waitFor({ state: 'detached' });
    expect((await inspectFlange(goodParts[3])).threshold).toBe(before.calibratedThreshold);
    expect(await auditReasons('model.threshold')).toEqual(['back to calibration', 'catch the faint scratches']);
  });

  it('adds a false alarm QA reviewed to the good set with one key', async () => {
    // the flange model calls the other-looking part NG: a false alarm once QA sees the part is good
    const falseAlarm = await inspectFlange(metal[0].bytes);
    expect(falseAlarm.decision).toBe('NG');
    await page.goto(`${server.url}/ui/inspections/${falseAlarm.id}`);
    await page.locator('img.viewer-image').waitFor();
    await page.getByText('Not reviewed yet: review it as OK or a false alarm first if the part is good.').waitFor();
    expect(await page.locator('.good-set-button').isDisabled()).toBe(true);
    expect((await post(server, `/api/v1/inspections/${falseAlarm.id}/review`, { verdict: 'false_alarm' }, 'qa')).status).toBe(201);
    await page.reload();
    await page.getByText('Adds the image to the good set of flange for the next training.').waitFor();
    await page.keyboard.press('a');
    await page.getByText('Added to the good set of flange.').waitFor();
    await page.locator('.good-set .badge-good-set').waitFor();
    await page.locator('.review-panel .review-false-alarm').first().waitFor();
    await shot('inspection-good-set');
    const goodSet = await api<{ items: { inspectionId: string; reviewState: string }[] }>('/api/v1/products/flange/good-set');
    expect(goodSet.items).toMatchObject([{ inspectionId: falseAlarm.id, reviewState: 'false_alarm' }]);

    // the next training offers it
    await page.goto(`${server.url}/ui/training?product=flange`);
    await page.getByText('1 image of parts QA reviewed as good').waitFor();
  });

  it('offers admins a folder on the server as the source, and says why it is refused', async () => {
    await page.getByRole('button', { name: 'Folder on the server' }).click();
    await page.getByLabel('Folder on the server').fill(path.join(scratch, 'flange', 'train', 'good'));
    await page.getByRole('button', { name: 'Start training' }).click();
    // this server allows no training roots
    await page.locator('.refusal strong', { hasText: 'Training from server folders is disabled' }).waitFor();
    await page.getByRole('button', { name: 'Upload' }).click();
  });

  it('cancels a running job from its page', async () => {
    await chooseOptions('dxmi');
    await page.getByLabel('Images or zip archives').setInputFiles(flange.map(asPayload));
    const id = await startTraining();
    await page.locator('.stage-step-current').waitFor({ timeout: JOB_MS });
    await page.locator('.job-facts', { hasText: '+ 1 from the good set' }).waitFor();
    await shot('training-job-running');
    await page.getByRole('button', { name: 'Cancel job…' }).click();
    await page.getByRole('button', { name: 'Yes, cancel the job' }).click();
    await page.locator('.job-status-cancelled').waitFor();
    await page.getByText('The job was stopped; nothing of it was kept.').waitFor();
    expect((await api<{ status: string }>(`/api/v1/jobs/${id}`)).status).toBe('cancelled');
    expect(await page.getByRole('button', { name: 'Cancel job…' }).count()).toBe(0);
  });

  it('lists the new shortcuts in the help', async () => {
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await help.getByText('Add to the good set (a part reviewed as good)').waitFor();
    await help.getByText('Version: threshold').waitFor();
    await shot('shortcuts-lifecycle');
    await page.keyboard.press('Escape');
  });

  it('fetched nothing from anywhere else, and nothing failed', () => {
    expect(browser.foreignRequests).toEqual([]);
    expect(browser.scriptErrors).toEqual([]);
    expect(browser.serverErrors).toEqual([]);
  });
});
