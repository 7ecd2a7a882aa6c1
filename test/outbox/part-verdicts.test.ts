/**
 * Part verdicts to the line's sinks, end to end: a real kensa server whose product `flange` has
 * three views (top scored by flange's own model, the sides by flange-side's), a real webhook
 * receiver and a real aedes broker on loopback ports. One message per closed pass and sink,
 * filtered by the part's verdict, in order with the sink's other messages, also when the pass is
 * closed by its deadline or by the sweep at start, and never twice across restarts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TestBroker } from '../helpers/mqtt-broker.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { get, greyPng, inspect, post, startTestServer, type TestServer } from '../server/harness.js';
import { createSink, SECRET, waitFor } from './helpers.js';

const VIEWS = [
  { name: 'top', product: 'flange' },
  { name: 'side-left', product: 'flange-side' },
  { name: 'side-right', product: 'flange-side' },
];
const LINE = 'L4';

interface PartDocument {
  deliveryId: string;
  sink: string;
  kind?: string;
  part?: {
    part: string;
    status: string;
    verdict: string;
    missingViews: string[];
    views: { name: string; decision: string | null; inspections: { id: string; links: { self: string } }[] }[];
  };
  inspection: { id: string } | null;
}

let server: TestServer;
let receiver: WebhookReceiver;
let broker: TestBroker;
let ok: Buffer;
let ng: Buffer;

beforeAll(async () => {
  server = await startTestServer({ models: [{ product: 'flange' }, { product: 'flange-side' }], config: { sinkRetryMaxMs: 400 } });
  receiver = await WebhookReceiver.start(SECRET);
  broker = await TestBroker.start();
  ok = await greyPng(64, 64, 128);
  ng = await greyPng(64, 64, 255);
});
afterAll(async () => {
  await server?.dispose();
  await receiver?.stop();
  await broker?.stop();
});
afterEach(async () => {
  // every sink goes, so the next test's messages are its own sinks' only
  const sinks = (await (await get(server, '/api/v1/sinks', 'admin')).json()) as { items: { id: number }[] };
  for (const sink of sinks.items) await fetch(`${server.url}/api/v1/sinks/${sink.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${server.keys.admin}` } });
});

const webhook = (name: string, extra: Record<string, unknown> = {}) =>
  createSink(server, { name, product: 'flange', kind: 'webhook', settings: { url: receiver.url, secret: SECRET, timeoutMs: 60_000 }, ...extra });

async function declareViews(timeoutMs: number): Promise<void> {
  const response = await post(server, '/api/v1/products/flange/views', { views: VIEWS, timeoutMs, reason: 'three cameras at station 4' });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function postView(part: string, view: string, image: Buffer): Promise<void> {
  const response = await inspect(server, image, { product: 'flange', line: LINE, camera: `cam-${view}`, params: { part, view, lot: 'LOT-9' } });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** What a sink's webhook accepted, in arrival order. */
const documentsOf = (sink: string) => receiver.accepted.map((result) => result.document as unknown as PartDocument).filter((document) => document.sink === sink);
const partMessages = (sink: string, part?: string) => documentsOf(sink).filter((document) => document.kind === 'part' && (part === undefined || document.part?.part === part));
const brokerParts = (topic: string) =>
  broker.published.filter((message) => message.topic === topic).map((message) => JSON.parse(message.payload.toString()) as PartDocument).filter((document) => document.kind === 'part');

describe('part verdicts to the sinks', () => {
  it('send one message per part and sink when its views arrive at once, filtered by the part verdict, in order with the other results', async () => {
    await declareViews(60_000);
    await webhook('parts-all', { filter: 'all' });
    await webhook('parts-ng', { filter: 'ng' });
    // a part is seen by several cameras: a sink for one camera gets that camera's results, no parts
    await webhook('one-camera', { filter: 'all', camera: 'cam-top' });
    await createSink(server, { name: 'andon', product: 'flange', kind: 'mqtt', filter: 'all', settings: { url: broker.url } });

    // SN-OK all good, SN-NG defective on one side; all six views posted at once, the parts interleaved
    const posts = VIEWS.flatMap((view) => [postView('SN-OK', view.name, ok), postView('SN-NG', view.name, view.name === 'side-left' ? ng : ok)]);
    await Promise.all(posts);

    await waitFor('both parts on the webhook and the broker', () => partMessages('parts-all').length >= 2 && brokerParts(`kensa/flange/${LINE}/-/result`).length >= 2);
    await waitFor('the NG part on the NG-only sink', () => partMessages('parts-ng').length >= 1);
    await waitFor("the camera sink's top views", () => documentsOf('one-camera').length >= 2);
    // anything sent twice would arrive within this
    await new Promise((resolve) => setTimeout(resolve, 800));

    const verdicts = (documents: PartDocument[]) => Object.fromEntries(documents.map((document) => [document.part!.part, document.part!.verdict]));
    expect(partMessages('parts-all')).toHaveLength(2);
    expect(verdicts(partMessages('parts-all'))).toEqual({ 'SN-OK': 'OK', 'SN-NG': 'NG' });
    expect(verdicts(partMessages('parts-ng'))).toEqual({ 'SN-NG': 'NG' });
    expect(verdicts(brokerParts(`kensa/flange/${LINE}/-/result`))).toEqual({ 'SN-OK': 'OK', 'SN-NG': 'NG' });
    expect(documentsOf('one-camera').every((document) => document.kind !== 'part')).toBe(true);

    // the part as the API shows it: each view's verdict and its inspection's links
    const sent = partMessages('parts-all', 'SN-NG')[0];
    const api = (await (await get(server, '/api/v1/parts/flange/SN-NG')).json()) as PartDocument['part'];
    expect(sent.part).toEqual(api);
    expect(sent.inspection).toBeNull();
    expect(sent.part!.views.map((view) => [view.name, view.decision])).toEqual([
      ['top', 'OK'],
      ['side-left', 'NG'],
      ['side-right', 'OK'],
    ]);
    for (const view of sent.part!.views) expect(view.inspections[0].links.self).toBe(`/api/v1/inspections/${view.inspections[0].id}`);
    expect(receiver.accepted.every((result) => result.signatureValid)).toBe(true);

    // the top views are flange's own inspections: the all-sink got them too, and every message
    // in the order its entry was written (a part's verdict after the view that completed it)
    const all = documentsOf('parts-all');
    expect(all.filter((document) => document.kind !== 'part')).toHaveLength(2);
    const ids = all.map((document) => Number(document.deliveryId));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('send one INCOMPLETE message when a view is missing at the deadline, also to the NG-only sink', async () => {
    await declareViews(400);
    await webhook('incomplete-ng', { filter: 'ng' });
    await postView('SN-SHORT', 'top', ok);
    await postView('SN-SHORT', 'side-right', ok);
    await waitFor('the incomplete part', () => partMessages('incomplete-ng', 'SN-SHORT').length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const sent = partMessages('incomplete-ng', 'SN-SHORT');
    expect(sent).toHaveLength(1);
    expect(sent[0].part).toMatchObject({ status: 'incomplete', verdict: 'INCOMPLETE', missingViews: ['side-left'] });
  });

  it('send a part closed by the sweep at start once, and nothing again after another restart', async () => {
    await declareViews(1500);
    await webhook('restarts', { filter: 'all' });
    // closed by its last view before the restarts: must not be sent again by either
    for (const view of VIEWS) await postView('SN-BEFORE', view.name, ok);
    await waitFor('the part closed before the restart', () => partMessages('restarts', 'SN-BEFORE').length === 1);

    await postView('SN-DOWN', 'top', ok);
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 1700));
    server = await server.restart();
    await waitFor('the part the sweep closed', () => partMessages('restarts', 'SN-DOWN').length >= 1);
    expect(partMessages('restarts', 'SN-DOWN')[0].part).toMatchObject({ status: 'incomplete', verdict: 'INCOMPLETE', missingViews: ['side-left', 'side-right'] });

    const before = documentsOf('restarts').length;
    server = await server.restart();
    // a fresh part proves the lanes run again before counting what arrived
    for (const view of VIEWS) await postView('SN-AFTER', view.name, ok);
    await waitFor('the part closed after the second restart', () => partMessages('restarts', 'SN-AFTER').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(partMessages('restarts', 'SN-BEFORE')).toHaveLength(1);
    expect(partMessages('restarts', 'SN-DOWN')).toHaveLength(1);
    // after the restart: the new part, its top view's result, nothing older
    expect(documentsOf('restarts').length - before).toBe(2);
  });
});
