/**
 * Multi-view parts end to end: a product whose three views are scored by two other products'
 * models, views of many parts posted at once and out of order, one record per part with the right
 * verdict, the long-poll, timeouts (also across a restart), later passes, whole-part reviews, and
 * the admin API that declares the views.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/store/database.js';
import { get, greyPng, inspect, post, startTestServer, type TestServer } from './harness.js';

const VIEWS = [
  { name: 'top', product: 'flange-top' },
  { name: 'side-left', product: 'flange-side' },
  { name: 'side-right', product: 'flange-side' },
];

interface Part {
  product: string;
  part: string;
  pass: number;
  passes: number;
  status: string;
  verdict: string | null;
  worstScore: number | null;
  missingViews: string[];
  legalHold: boolean;
  views: { name: string; decision: string | null; inspections: { id: string; product: string; view: string; score: number; reviewState: string; partRecord: { pass: number } | null }[] }[];
}

let server: TestServer;
let ok: Buffer;
let ng: Buffer;

beforeAll(async () => {
  server = await startTestServer({ models: [{ product: 'flange-top' }, { product: 'flange-side' }] });
  ok = await greyPng(64, 64, 128);
  ng = await greyPng(64, 64, 255);
});
afterAll(() => server?.dispose());

async function declareViews(timeoutMs: number, views = VIEWS): Promise<Response> {
  return post(server, '/api/v1/products/flange/views', { views, timeoutMs, reason: 'three cameras at station 4' });
}

function postView(part: string, view: string, image: Buffer, extra: Record<string, string> = {}): Promise<Response> {
  return inspect(server, image, { product: 'flange', params: { part, view, lot: 'LOT-7', ...extra } });
}

async function partOf(part: string, query = ''): Promise<Part> {
  const response = await get(server, `/api/v1/parts/flange/${encodeURIComponent(part)}${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Part;
}

function partRecordsOf(part: string): { pass: number; status: string }[] {
  const db = new Database(databasePath(server.dataDir), { readonly: true });
  try {
    return db.prepare("SELECT pass, status FROM part_records WHERE product_id = 'flange' AND part_id = ? ORDER BY pass").all(part) as { pass: number; status: string }[];
  } finally {
    db.close();
  }
}

describe('declaring views', () => {
  it('is for admins, names existing products, refuses repeated names, and is audited', async () => {
    expect((await post(server, '/api/v1/products/flange/views', { views: VIEWS, reason: 'x' }, 'qa')).status).toBe(403);
    const unknown = await post(server, '/api/v1/products/flange/views', { views: [{ name: 'top', product: 'nope' }], reason: 'x' });
    expect(unknown.status).toBe(422);
    expect(await unknown.json()).toMatchObject({ title: 'A view names an unknown product', detail: expect.stringContaining('"nope"') });
    // the view's product defaults to the product itself, which has no model here
    expect((await post(server, '/api/v1/products/flange/views', { views: [{ name: 'top' }], reason: 'x' })).status).toBe(422);
    const repeated = await post(server, '/api/v1/products/flange/views', { views: [VIEWS[0], VIEWS[0]], reason: 'x' });
    expect(repeated.status).toBe(400);
    expect((await repeated.json()).detail).toContain('top appears more than once');

    const declared = await declareViews(60_000);
    expect(declared.status).toBe(200);
    expect(await declared.json()).toMatchObject({ product: 'flange', views: VIEWS, timeoutMs: 60_000 });
    expect(await (await get(server, '/api/v1/products/flange/views')).json()).toMatchObject({ views: VIEWS });
    const audit = (await (await get(server, '/api/v1/audit?limit=5', 'admin')).json()) as { items: { action: string; target: string; detail: { reason: string } }[] };
    expect(audit.items[0]).toMatchObject({ action: 'product.views', target: 'flange', detail: { reason: 'three cameras at station 4' } });
  });
});

describe('one record per part', () => {
  beforeAll(async () => {
    expect((await declareViews(60_000)).status).toBe(200);
  });

  it('gathers three views of each part posted concurrently and out of order, with the right verdict', async () => {
    // six parts: even ones all OK, odd ones NG on one side; every view posted at once, views shuffled
    const parts = Array.from({ length: 6 }, (_, n) => ({ part: `SN-CONC-${n}`, ngView: n % 2 ? VIEWS[n % 3].name : null }));
    const posts = parts.flatMap(({ part, ngView }) => VIEWS.map((view) => ({ part, view: view.name, image: view.name === ngView ? ng : ok })));
    const shuffled = posts.map((p, i) => ({ p, key: (i * 7919) % posts.length })).sort((a, b) => a.key - b.key).map(({ p }) => p);
    const answers = await Promise.all(shuffled.map(({ part, view, image }) => postView(part, view, image)));
    for (const answer of answers) expect(answer.status).toBe(200);
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as { view: string; product: string; partRecord: { product: string; pass: number } }[];
    // each view was scored by its own product's model, and every answer names the part's first pass
    for (const body of bodies) {
      expect(body.product).toBe(VIEWS.find((view) => view.name === body.view)!.product);
      expect(body.partRecord).toMatchObject({ product: 'flange', pass: 1 });
    }

    for (const { part, ngView } of parts) {
      expect(partRecordsOf(part)).toEqual([{ pass: 1, status: 'complete' }]);
      const record = await partOf(part);
      expect(record).toMatchObject({ part, pass: 1, passes: 1, status: 'complete', verdict: ngView ? 'NG' : 'OK', missingViews: [] });
      expect(record.views.map((view) => view.name)).toEqual(VIEWS.map((view) => view.name));
      for (const view of record.views) {
        expect(view.inspections).toHaveLength(1);
        expect(view.decision).toBe(view.name === ngView ? 'NG' : 'OK');
      }
      const scores = record.views.map((view) => view.inspections[0].score);
      expect(record.worstScore).toBe(Math.max(...scores));
    }
  });

  it('answers a long-poll when the last view arrives', async () => {
    await postView('SN-WAIT', 'side-right', ok);
    await postView('SN-WAIT', 'top', ok);
    const started = Date.now();
    const waiting = partOf('SN-WAIT', '?wait=20');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await postView('SN-WAIT', 'side-left', ng)).status).toBe(200);
    const record = await waiting;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(record).toMatchObject({ status: 'complete', verdict: 'NG', missingViews: [] });
  });

  it('answers a long-poll on an open part with its state when the wait runs out', async () => {
    await postView('SN-SHORT-WAIT', 'top', ok);
    const started = Date.now();
    const record = await partOf('SN-SHORT-WAIT', '?wait=0.5');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(record).toMatchObject({ status: 'open', verdict: null, missingViews: ['side-left', 'side-right'] });
  });

  it('lets the line read its part with a camera key, and QA review it as a whole', async () => {
    for (const view of VIEWS) await postView('SN-REVIEW', view.name, view.name === 'top' ? ng : ok);
    expect((await get(server, '/api/v1/parts/flange/SN-REVIEW', 'camera')).status).toBe(200);
    expect((await post(server, '/api/v1/parts/flange/SN-REVIEW/review', { verdict: 'good' }, 'camera')).status).toBe(403);

    const defective = await post(server, '/api/v1/parts/flange/SN-REVIEW/review', { verdict: 'defective', note: 'burr on top' }, 'qa');
    expect(defective.status).toBe(201);
    const states = (part: Part) => Object.fromEntries(part.views.map((view) => [view.name, view.inspections[0].reviewState]));
    // the NG view is confirmed; the OK views wait for a verdict per view
    expect(states((await defective.json()) as Part)).toEqual({ top: 'true_defect', 'side-left': 'unreviewed', 'side-right': 'unreviewed' });
    const good = await post(server, '/api/v1/parts/flange/SN-REVIEW/review', { verdict: 'good' }, 'qa');
    expect(states((await good.json()) as Part)).toEqual({ top: 'false_alarm', 'side-left': 'ok', 'side-right': 'ok' });
    const top = (await partOf('SN-REVIEW')).views[0].inspections[0];
    const reviews = ((await (await get(server, `/api/v1/inspections/${top.id}`)).json()) as { reviews: { verdict: string; note: string | null }[] }).reviews;
    expect(reviews).toEqual([expect.objectContaining({ verdict: 'true_defect', note: 'burr on top' }), expect.objectContaining({ verdict: 'false_alarm', note: null })]);
  });

  it('answers 404 for a part it never saw', async () => {
    expect((await get(server, '/api/v1/parts/flange/SN-NEVER')).status).toBe(404);
  });
});

describe('timeouts', () => {
  it('closes a part with a missing view as incomplete at its deadline, never OK', async () => {
    expect((await declareViews(400)).status).toBe(200);
    await postView('SN-MISSING', 'top', ok);
    await postView('SN-MISSING', 'side-left', ok);
    // the wait is far longer than the deadline: it is the deadline that answers
    const record = await partOf('SN-MISSING', '?wait=20');
    expect(record).toMatchObject({ status: 'incomplete', verdict: 'INCOMPLETE', missingViews: ['side-right'] });
    expect(partRecordsOf('SN-MISSING')).toEqual([{ pass: 1, status: 'incomplete' }]);
  });

  it('keeps NG for an incomplete part with an NG view', async () => {
    await postView('SN-MISSING-NG', 'side-right', ng);
    expect(await partOf('SN-MISSING-NG', '?wait=20')).toMatchObject({ status: 'incomplete', verdict: 'NG', missingViews: ['top', 'side-left'] });
  });

  it('opens a second pass for a view arriving after the first closed, and leaves the first as it was', async () => {
    await postView('SN-LATE', 'top', ok);
    await partOf('SN-LATE', '?wait=20');
    const late = await postView('SN-LATE', 'side-left', ok);
    expect(((await late.json()) as { partRecord: { pass: number } }).partRecord.pass).toBe(2);
    expect(await partOf('SN-LATE', '?pass=1')).toMatchObject({ pass: 1, passes: 2, status: 'incomplete', missingViews: ['side-left', 'side-right'] });
    expect(await partOf('SN-LATE')).toMatchObject({ pass: 2, passes: 2, status: 'open', missingViews: ['top', 'side-right'] });
  });

  it('closes parts whose deadline passed while the server was down, as it starts', async () => {
    expect((await declareViews(1500)).status).toBe(200);
    expect((await postView('SN-RESTART', 'top', ok)).status).toBe(200);
    await server.close();
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect(partRecordsOf('SN-RESTART')).toEqual([{ pass: 1, status: 'open' }]);
    server = await server.restart();
    // no wait: reading a part closes nothing, so only the start's sweep can have closed it
    expect(await partOf('SN-RESTART')).toMatchObject({ status: 'incomplete', verdict: 'INCOMPLETE' });
  });

  it('keeps the deadline of a part that is still open across a restart', async () => {
    expect((await postView('SN-RESTART-OPEN', 'top', ok)).status).toBe(200);
    server = await server.restart();
    expect(await partOf('SN-RESTART-OPEN')).toMatchObject({ status: 'open' });
    expect(await partOf('SN-RESTART-OPEN', '?wait=20')).toMatchObject({ status: 'incomplete', missingViews: ['side-left', 'side-right'] });
  });
});
