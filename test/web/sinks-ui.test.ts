/**
 * Result sinks in the web UI, in Chromium against a real server and a real webhook receiver on a
 * loopback port: an admin adds a webhook sink (a refused secret is shown next to its field), sends
 * a test message that arrives signed with the extra header, edits the sink without retyping the
 * secret, sees a result the receiver kept refusing as a dead letter, re-sends it once the receiver
 * takes it again, and removes the sink; editing an MQTT sink keeps the settings the form does not
 * show. What the UI did is checked through the API.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { createSink, SECRET, waitFor } from '../outbox/helpers.js';
import { get, greyPng, inspectionId, startTestServer, type TestServer } from '../server/harness.js';
import { buildUi, launchBrowser, SCREENSHOTS, type TestBrowser } from './browser.js';

let server: TestServer;
let receiver: WebhookReceiver;
let browser: TestBrowser;
let page: Page;

interface SinkJson {
  id: number;
  name: string;
  filter: string;
  line: string | null;
  deadLetterAfterMs: number;
  deadLetters: number;
  settings: Record<string, unknown>;
  secretsSet: string[];
}

const sinks = async () => ((await (await get(server, '/api/v1/sinks', 'admin')).json()) as { items: SinkJson[] }).items;
const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
const row = () => page.getByRole('listitem', { name: 'Sink line-mes' });

async function confirmWithReason(button: Locator, dialogName: string, reason: string): Promise<void> {
  await button.click();
  const dialog = page.getByRole('dialog', { name: dialogName });
  await dialog.getByLabel(/Reason/).fill(reason);
  await dialog.getByRole('button', { name: /^(Re-send|Remove)$/ }).click();
  await dialog.waitFor({ state: 'hidden' });
}

beforeAll(async () => {
  await buildUi();
  receiver = await WebhookReceiver.start(SECRET);
  server = await startTestServer({ config: { sinkRetryMaxMs: 300 } });
  browser = await launchBrowser(server.url);
  page = browser.page;
  await page.goto(`${server.url}/ui/models`);
  await page.getByLabel('API key').fill(server.keys.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Result sinks' }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.dispose();
  await receiver?.stop();
});

describe('an admin in the sinks panel', () => {
  it('adds a webhook sink, seeing the server refuse a short secret next to its field', async () => {
    await page.getByRole('button', { name: 'Add sink…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a sink' });
    await dialog.getByLabel('Name', { exact: true }).fill('line-mes');
    await dialog.getByLabel('Product', { exact: true }).fill('widget');
    await dialog.getByLabel('Results sent').selectOption('all');
    await dialog.getByLabel('Line', { exact: true }).fill('L1');
    await dialog.getByLabel('URL', { exact: true }).fill(receiver.url);
    await dialog.getByLabel('Signing secret').fill('too-short');
    await dialog.getByLabel('Extra headers').fill('X-Tenant: plant-7');
    await dialog.getByRole('button', { name: 'Add sink' }).click();

    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('The request is invalid');
    const secret = dialog.getByLabel('Signing secret');
    expect(await secret.getAttribute('aria-invalid')).toBe('true');
    expect(await dialog.locator('.field-error').textContent()).toMatch(/16/);
    await shot('sink-refused');
    expect(await sinks()).toEqual([]);

    await secret.fill(SECRET);
    await dialog.getByRole('button', { name: 'Add sink' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row().waitFor();
    const [sink] = await sinks();
    expect(sink).toMatchObject({ name: 'line-mes', filter: 'all', line: 'L1', settings: { url: receiver.url, headers: { 'X-Tenant': 'plant-7' } }, secretsSet: ['secret'] });
  });

  it('sends a test message that the receiver gets, signed and with the extra header', async () => {
    await row().getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => row().getByRole('status').textContent()).toMatch(/Test message acknowledged in \d+ ms/);
    expect(receiver.accepted).toHaveLength(1);
    const [message] = receiver.accepted;
    expect(message.document.test).toBe(true);
    expect(message.signatureValid).toBe(true);
    expect(message.headers['x-tenant']).toBe('plant-7');
  });

  it('edits the sink without retyping its secret, and its results arrive', async () => {
    await row().getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit sink line-mes' });
    expect(await dialog.getByLabel('URL', { exact: true }).inputValue()).toBe(receiver.url);
    expect(await dialog.getByLabel('Signing secret').inputValue()).toBe('');
    await dialog.getByLabel('Results sent').selectOption('ng');
    await dialog.getByLabel('Dead letter after (minutes)').fill('0.02');
    await shot('sink-edit');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const [sink] = await sinks();
    expect(sink).toMatchObject({ filter: 'ng', deadLetterAfterMs: 1200, secretsSet: ['secret'] });

    const id = await inspectionId(server, await greyPng(40, 40, 255), { line: 'L1', camera: '1' });
    await waitFor('the NG result', () => receiver.inspectionIds().includes(id));
    expect(receiver.accepted.at(-1)!.signatureValid).toBe(true);
  });

  it('sees a result the receiver kept refusing as a dead letter and re-sends it', async () => {
    receiver.status = 503;
    const id = await inspectionId(server, await greyPng(40, 40, 255), { line: 'L1', camera: '1' });
    await waitFor('a dead letter', async () => (await sinks())[0].deadLetters === 1);
    await page.reload();
    await row().getByText('1 dead letter').waitFor();
    await row().getByText('Show the dead letters').click();
    const letters = row().getByRole('list', { name: 'Dead letters' });
    await letters.getByText(id).waitFor();
    expect(await letters.textContent()).toContain('503');
    await shot('sink-dead-letters');

    receiver.status = 200;
    await confirmWithReason(row().getByRole('button', { name: 'Re-send dead letters' }), 'Re-send the dead letters of line-mes', 'receiver fixed');
    await expect.poll(() => row().getByRole('status').textContent()).toBe('1 result back in the queue.');
    await waitFor('the re-sent result', () => receiver.inspectionIds().includes(id));
    await row().getByText('0 dead letters').waitFor();
  });

  it('removes the sink', async () => {
    await confirmWithReason(row().getByRole('button', { name: 'Remove' }), 'Remove the sink line-mes', 'line retired');
    await row().waitFor({ state: 'detached' });
    expect(await sinks()).toEqual([]);
    const audit = await (await get(server, '/api/v1/audit?limit=20', 'admin')).text();
    expect(audit).toContain('line retired');
    expect(audit).not.toContain(SECRET);
  });

  it('edits an MQTT sink, keeping the settings set through the API that the form does not show', async () => {
    const settings = { url: 'mqtts://broker.plant.local:8883', ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', clientId: 'kensa-line-2', password: 'broker-password' };
    const { id } = await createSink(server, { name: 'andon', product: 'gasket', kind: 'mqtt', settings });
    await page.reload();
    const andon = page.getByRole('listitem', { name: 'Sink andon' });
    await andon.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit sink andon' });
    await dialog.getByLabel('Topic', { exact: true }).fill('plant/{line}/{camera}');
    await dialog.getByLabel('Retain the last result on its topic').check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const [sink] = (await sinks()).filter((entry) => entry.id === id);
    expect(sink.settings).toMatchObject({ url: settings.url, ca: settings.ca, clientId: settings.clientId, topic: 'plant/{line}/{camera}', retain: true });
    expect(sink.secretsSet).toEqual(['password']);
  });

  it('fetched nothing from anywhere else, and nothing failed', () => {
    expect(browser.foreignRequests).toEqual([]);
    expect(browser.scriptErrors).toEqual([]);
    expect(browser.serverErrors).toEqual([]);
  });
});
