/** The read side for QA: filters and paging, one inspection, reviews, stats, and the API description. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspect, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
const ids: Record<string, string> = {};

interface Item {
  id: string;
  decision: string;
  line: string | null;
  camera: string | null;
  score: number;
  reviewState: string;
}

async function list(query: string): Promise<{ items: Item[]; nextCursor: string | null }> {
  const response = await get(server, `/api/v1/inspections?${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

beforeAll(async () => {
  server = await startTestServer();
  const grey = await greyPng(32, 32, 128);
  const white = await greyPng(32, 32, 255);
  const plan: [string, Buffer, string, string][] = [
    ['ok1', grey, 'L1', 'c1'],
    ['ng1', white, 'L1', 'c1'],
    ['ok2', grey, 'L1', 'c2'],
    ['ng2', white, 'L2', 'c3'],
    ['ok3', grey, 'L2', 'c3'],
  ];
  for (const [name, image, line, camera] of plan) {
    ids[name] = ((await (await inspect(server, image, { line, camera })).json()) as { id: string }).id;
  }
});
afterAll(() => server?.dispose());

describe('GET /api/v1/inspections', () => {
  it('lists newest first', async () => {
    const { items, nextCursor } = await list('');
    expect(items.map((i) => i.id)).toEqual([ids.ok3, ids.ng2, ids.ok2, ids.ng1, ids.ok1]);
    expect(nextCursor).toBeNull();
  });

  it('filters by product, line, camera, decision, score and time', async () => {
    expect((await list('decision=NG')).items.map((i) => i.id)).toEqual([ids.ng2, ids.ng1]);
    expect((await list('line=L1')).items.map((i) => i.id)).toEqual([ids.ok2, ids.ng1, ids.ok1]);
    expect((await list('line=L1&camera=c1&decision=OK')).items.map((i) => i.id)).toEqual([ids.ok1]);
    expect((await list('minScore=0.5')).items.map((i) => i.id)).toEqual([ids.ng2, ids.ng1]);
    expect((await list('maxScore=0.1')).items).toHaveLength(3);
    expect((await list('product=widget')).items).toHaveLength(5);
    expect((await list('product=other')).items).toHaveLength(0);
    expect((await list(`from=${new Date(Date.now() + 60_000).toISOString()}`)).items).toHaveLength(0);
    expect((await list(`to=${new Date(Date.now() + 60_000).toISOString()}`)).items).toHaveLength(5);
  });

  it('pages with a cursor without gaps or repeats, also while new inspections arrive', async () => {
    const first = await list('limit=2');
    expect(first.items.map((i) => i.id)).toEqual([ids.ok3, ids.ng2]);
    await inspect(server, await greyPng(32, 32, 128)); // newer than the cursor: not in later pages
    const second = await list(`limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.id)).toEqual([ids.ok2, ids.ng1]);
    const third = await list(`limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((i) => i.id)).toEqual([ids.ok1]);
    expect(third.nextCursor).toBeNull();
  });

  it('refuses invalid filters and cursors', async () => {
    for (const query of ['decision=MAYBE', 'limit=0', 'limit=1000', 'minScore=2', 'from=yesterday', 'review=great', 'cursor=garbage']) {
      const response = await get(server, `/api/v1/inspections?${query}`);
      expect(response.status, query).toBe(400);
    }
  });
});

describe('reviews', () => {
  it('records verdicts, shows them on the inspection and filters by review state', async () => {
    const created = await post(server, `/api/v1/inspections/${ids.ng1}/review`, { verdict: 'false_alarm', note: 'glare on the flange' }, 'qa');
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ verdict: 'false_alarm', note: 'glare on the flange', reviewer: expect.stringMatching(/^[0-9a-f]{10}$/) });
    await post(server, `/api/v1/inspections/${ids.ng2}/review`, { verdict: 'true_defect' }, 'qa');
    await post(server, `/api/v1/inspections/${ids.ng2}/review`, { verdict: 'false_alarm' }, 'admin');

    const detail = await (await get(server, `/api/v1/inspections/${ids.ng2}`)).json();
    expect(detail.reviewState).toBe('false_alarm');
    expect(detail.reviews.map((r: { verdict: string }) => r.verdict)).toEqual(['true_defect', 'false_alarm']);

    expect((await list('review=false_alarm')).items.map((i) => i.id)).toEqual([ids.ng2, ids.ng1]);
    expect((await list('review=reviewed&line=L2')).items.map((i) => i.id)).toEqual([ids.ng2]);
    expect((await list('review=unreviewed&decision=NG')).items).toEqual([]);
  });

  it('refuses bad verdicts, unknown fields and unknown inspections', async () => {
    expect((await post(server, `/api/v1/inspections/${ids.ok1}/review`, { verdict: 'meh' }, 'qa')).status).toBe(400);
    expect((await post(server, `/api/v1/inspections/${ids.ok1}/review`, { verdict: 'ok', score: 1 }, 'qa')).status).toBe(400);
    const malformed = await fetch(`${server.url}/api/v1/inspections/${ids.ok1}/review`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.qa}`, 'content-type': 'application/json' },
      body: '{"verdict": ',
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).title).toBe('The JSON body is malformed');
    expect((await post(server, '/api/v1/inspections/01ARZ3NDEKTSV4RRFFQ69G5FAV/review', { verdict: 'ok' }, 'qa')).status).toBe(404);
  });
});

describe('GET /api/v1/stats', () => {
  it('counts per product and line in time buckets', async () => {
    const stats = await (await get(server, '/api/v1/stats?bucket=day')).json();
    const byLine = Object.fromEntries(stats.buckets.map((b: { line: string | null }) => [b.line ?? 'none', b]));
    expect(byLine.L1).toMatchObject({ product: 'widget', inspections: 3, ng: 1, ngRate: 1 / 3 });
    expect(byLine.L1.reviews).toMatchObject({ false_alarm: 1, unreviewed: 2 });
    expect(byLine.L2).toMatchObject({ inspections: 2, ng: 1 });
    expect(byLine.none).toMatchObject({ inspections: 1, ng: 0 });
    expect(byLine.L1.scoreHistogram).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(byLine.L1.latencyMs.max).toBeGreaterThanOrEqual(byLine.L1.latencyMs.mean);
    const filtered = await (await get(server, '/api/v1/stats?bucket=hour&line=L2')).json();
    expect(filtered.buckets).toHaveLength(1);
    expect((await get(server, '/api/v1/stats?bucket=minute&from=2020-01-01T00:00:00Z')).status).toBe(400);
  });
});

describe('operations', () => {
  it('publishes an OpenAPI document generated from the validating schemas', async () => {
    const doc = await (await fetch(`${server.url}/api/v1/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    const inspectOp = doc.paths['/api/v1/inspect'].post;
    expect(inspectOp.parameters).toContainEqual(expect.objectContaining({ name: 'product', in: 'query', required: true }));
    expect(Object.keys(inspectOp.requestBody.content)).toContain('multipart/form-data');
    expect(Object.keys(inspectOp.responses)).toEqual(expect.arrayContaining(['200', '401', '403', '404', '409', '413', '415', '422', '503']));
    const listOp = doc.paths['/api/v1/inspections'].get;
    expect(listOp.parameters).toContainEqual(expect.objectContaining({ name: 'limit', required: false, schema: expect.objectContaining({ type: 'integer', maximum: 200 }) }));
    expect(doc.paths['/api/v1/inspections/{id}/review'].post.requestBody.content['application/json'].schema.properties.verdict.enum).toEqual([
      'true_defect',
      'false_alarm',
      'missed_defect',
      'ok',
    ]);
    expect(doc.paths['/api/v1/models/{product}/{version}/activate'].post.description).toBe('Roles: admin.');
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail']));
  });

  it('exposes Prometheus metrics to admin keys', async () => {
    const metrics = await (await get(server, '/metrics', 'admin')).text();
    expect(metrics).toContain('kensa_inspections_total{product="widget",model_version="v1",decision="OK"} 4');
    expect(metrics).toContain('kensa_inspections_total{product="widget",model_version="v1",decision="NG"} 2');
    expect(metrics).toMatch(/kensa_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/inspect",status="200"\} \d+/);
    expect(metrics).toMatch(/kensa_inference_duration_seconds_count\{product="widget",model_version="v1"\} \d+/);
    expect(metrics).toContain('kensa_queue_depth 0');
    expect(metrics).toContain('nodejs_eventloop_lag_seconds');
  });

  it('reports health and readiness, per product to admin keys', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(await (await get(server, '/readyz', 'admin')).json()).toEqual({
      status: 'ready',
      products: [{ id: 'widget', activeVersion: 'v1', loaded: true, error: null }],
    });
  });

  it('answers unknown endpoints with a problem', async () => {
    const response = await get(server, '/api/v1/nothing');
    expect(response.status).toBe(404);
    expect((await response.json()).title).toBe('Not found');
  });
});
