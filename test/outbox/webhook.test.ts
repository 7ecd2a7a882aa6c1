/**
 * Results to a webhook, end to end: a real kensa server with the fixture model, a real receiver
 * on a loopback port that is stopped and started again, a kensa restart in the middle, dead
 * letters, and a receiver that does not answer while cameras keep inspecting.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspect, inspectionId, post, startTestServer, type TestServer } from '../server/harness.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { createSink, metricsText, SECRET, waitFor } from './helpers.js';

let server: TestServer;
let receiver: WebhookReceiver;
let ok: Buffer;
let ng: Buffer;

beforeAll(async () => {
  server = await startTestServer({ config: { sinkRetryMaxMs: 400 } });
  ok = await greyPng(40, 40, 128);
  ng = await greyPng(40, 40, 255);
});
afterAll(() => server?.dispose());
afterEach(async () => {
  await receiver?.stop();
  // every sink goes, so the next test's inspections are sent to its own only
  const sinks = (await (await get(server, '/api/v1/sinks', 'admin')).json()) as { items: { id: number }[] };
  for (const sink of sinks.items) await fetch(`${server.url}/api/v1/sinks/${sink.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.keys.admin}` } });
});

const webhook = (name: string, extra: Record<string, unknown> = {}) =>
  createSink(server, { name, kind: 'webhook', settings: { url: receiver.url, secret: SECRET, timeoutMs: 60_000 }, ...extra });

async function inspectMany(count: number, options: { image?: Buffer; line?: string } = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await inspectionId(server, options.image ?? ng, { line: options.line ?? '1', camera: '1' }));
  return ids;
}

describe('webhook sinks', () => {
  it('are configured by admins only, audited, never show their secret, and answer a test message', async () => {
    receiver = await WebhookReceiver.start(SECRET);
    const body = { name: 'mes', product: 'widget', kind: 'webhook', filter: 'ng', settings: { url: receiver.url, secret: SECRET, headers: { 'X-Tenant': 'plant-4' } }, reason: 'MES integration' };
    expect((await post(server, '/api/v1/sinks', body, 'qa')).status).toBe(403);
    expect((await post(server, '/api/v1/sinks', { ...body, settings: { url: receiver.url } })).status).toBe(400);
    expect((await post(server, '/api/v1/sinks', { ...body, settings: { ...body.settings, url: 'ftp://x' } })).status).toBe(400);
    const created = await post(server, '/api/v1/sinks', body);
    expect(created.status).toBe(201);
    const sink = (await created.json()) as { id: number; settings: Record<string, unknown>; secretsSet: string[] };
    expect(sink.settings).toEqual({ url: receiver.url, timeoutMs: 5000, headers: { 'X-Tenant': 'plant-4' } });
    expect(sink.secretsSet).toEqual(['secret']);
    expect((await post(server, '/api/v1/sinks', body)).status).toBe(409);

    // replaced without the secret: it is kept, and still never shown
    const replaced = await post(server, `/api/v1/sinks/${sink.id}`, { ...body, settings: { url: receiver.url, headers: body.settings.headers } });
    expect(replaced.status).toBe(200);
    expect(JSON.stringify(await replaced.json())).not.toContain(SECRET);
    const audit = await (await get(server, '/api/v1/audit?limit=5', 'admin')).text();
    expect(audit).toContain('sink.create');
    expect(audit).toContain('sink.replace');
    expect(audit).not.toContain(SECRET);

    const test = await post(server, `/api/v1/sinks/${sink.id}/test`, {});
    expect(test.status).toBe(200);
    expect(receiver.accepted).toHaveLength(1);
    expect(receiver.accepted[0]).toMatchObject({ signatureValid: true, document: { test: true, inspection: null, sink: 'mes' } });
    expect(receiver.accepted[0].headers['x-tenant']).toBe('plant-4');

    const openapi = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId: string }>> };
    expect(openapi.paths['/api/v1/sinks'].post.operationId).toBe('createSink');
    expect(JSON.stringify(openapi.paths['/api/v1/sinks'].post)).toContain('"mqtt"');
    expect(openapi.paths['/api/v1/sinks/{id}/dead-letters/resend'].post.operationId).toBe('resendDeadLetters');

    await receiver.stop();
    const failed = await post(server, `/api/v1/sinks/${sink.id}/test`, {});
    expect(failed.status).toBe(502);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
  });

  it('send what the filter takes: NG only, or all, or NG and a share of OK', async () => {
    receiver = await WebhookReceiver.start(SECRET);
    await webhook('ng-only', { filter: 'ng', line: 'filters' });
    await webhook('no-ok', { filter: 'sample', okShare: 0, line: 'filters' });
    await webhook('elsewhere', { filter: 'all', line: 'another line' });
    const [okId] = await inspectMany(1, { image: ok, line: 'filters' });
    const [ngId] = await inspectMany(1, { image: ng, line: 'filters' });
    await waitFor('two deliveries', () => receiver.accepted.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.accepted.map((result) => `${result.document.sink} ${result.document.inspection?.id}`).sort()).toEqual([`ng-only ${ngId}`, `no-ok ${ngId}`].sort());
    expect(okId).not.toBe(ngId);
    const sent = receiver.accepted[0].document.inspection!;
    expect(sent).toMatchObject({ id: ngId, decision: 'NG', product: 'widget', line: 'filters', camera: '1', modelVersion: expect.any(String), links: { overlay: `/api/v1/inspections/${ngId}/overlay` } });
    expect(receiver.accepted.every((result) => result.signatureValid)).toBe(true);
  });

  it("send a view of a multi-view part too (logged in the part's own transaction), with its traceability fields", async () => {
    receiver = await WebhookReceiver.start(SECRET);
    expect((await post(server, '/api/v1/products/assembly/views', { views: [{ name: 'top', product: 'widget' }], reason: 'one camera' })).status).toBe(200);
    await webhook('parts');
    const id = await inspectionId(server, ng, { product: 'assembly', params: { part: 'SN-1', view: 'top', lot: 'LOT-1', station: 'ST1' } });
    await waitFor('the view', () => receiver.accepted.length === 1);
    expect(receiver.accepted[0].document.inspection).toMatchObject({ id, product: 'widget', part: 'SN-1', view: 'top', lot: 'LOT-1', station: 'ST1', partRecord: { product: 'assembly', pass: 1 } });
  });

  it('deliver every inspection exactly once and in order when the receiver goes down and comes back', async () => {
    receiver = await WebhookReceiver.start(SECRET);
    await webhook('crashy', { withOverlay: true });
    const ids = await inspectMany(3);
    await waitFor('the first three', () => receiver.accepted.length === 3);
    await receiver.stop();
    ids.push(...(await inspectMany(4)));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await receiver.listen();
    ids.push(...(await inspectMany(3)));
    await waitFor('all ten', () => receiver.accepted.length >= 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.inspectionIds()).toEqual(ids);
    expect(receiver.accepted.every((result) => result.signatureValid && (result.document.overlay?.base64.length ?? 0) > 100)).toBe(true);
    expect(await metricsText(server)).toMatch(/kensa_sink_retries_total\{sink="crashy"\} [1-9]/);
    expect(await metricsText(server)).toMatch(/kensa_sink_delivery_lag_seconds_count\{sink="crashy"\} 10/);
  });

  it('deliver what was left undelivered, exactly once and in order, after kensa restarts', async () => {
    receiver = await WebhookReceiver.start(SECRET);
    await webhook('restarts');
    const ids = await inspectMany(2);
    await waitFor('the first two', () => receiver.accepted.length === 2);
    await receiver.stop();
    ids.push(...(await inspectMany(3)));
    server = await server.restart();
    await receiver.listen();
    ids.push(...(await inspectMany(2)));
    await waitFor('all seven', () => receiver.accepted.length >= 7);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.inspectionIds()).toEqual(ids);
  });

  it('make a result a dead letter once it is older than the sink allows, list it, and send it again', async () => {
    receiver = await WebhookReceiver.start(SECRET);
    receiver.status = 503;
    const sink = await webhook('refuses', { deadLetterAfterMs: 1000 });
    const ids = await inspectMany(2);
    const deadLetters = async () => ((await (await get(server, `/api/v1/sinks/${sink.id}/dead-letters`, 'admin')).json()) as { items: { entry: number; inspectionId: string; attempts: number; lastError: string }[] }).items;
    await waitFor('two dead letters', async () => (await deadLetters()).length === 2);
    const dead = await deadLetters();
    expect(dead.map((letter) => letter.inspectionId)).toEqual(ids);
    expect(dead[0].attempts).toBeGreaterThan(1);
    expect(dead[0].lastError).toContain('503');
    expect(receiver.accepted).toHaveLength(0);
    expect(await metricsText(server)).toMatch(/kensa_sink_dead_lettered_total\{sink="refuses"\} 2/);
    expect(await metricsText(server)).toMatch(/kensa_sink_backlog\{sink="refuses",state="dead"\} 2/);

    receiver.status = 200;
    const resent = await post(server, `/api/v1/sinks/${sink.id}/dead-letters/resend`, { reason: 'receiver fixed' });
    expect(await resent.json()).toEqual({ resent: 2 });
    await waitFor('both re-sent', () => receiver.accepted.length === 2);
    expect(receiver.inspectionIds()).toEqual(ids);
    expect(receiver.accepted.map((result) => result.deliveryId)).toEqual(dead.map((letter) => String(letter.entry)));
    expect(await deadLetters()).toHaveLength(0);
  });

  it("answer the camera without waiting for a receiver that does not answer", async () => {
    receiver = await WebhookReceiver.start(SECRET);
    let release = () => {};
    receiver.hold = new Promise<void>((resolve) => (release = resolve));
    await webhook('stuck');
    await inspectMany(1);
    await waitFor('the receiver to hold the first result', () => receiver.attempts === 1);
    // the receiver still holds the first result: the cameras' answers must not wait for it
    const started = performance.now();
    const answers = await Promise.race([
      Promise.all([1, 2, 3].map(async () => (await inspect(server, ng, { line: '1', camera: '1' })).status)),
      new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 10_000)),
    ]);
    expect(answers).toEqual([200, 200, 200]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(receiver.accepted).toHaveLength(0);
    release();
    receiver.hold = null;
    await waitFor('all four once released', () => receiver.accepted.length === 4);
  });
});
