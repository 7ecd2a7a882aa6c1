/**
 * The sampled review queue through the API: what the policy takes (every NG, scores near the
 * threshold, a share of clear OK parts) and in which order, a page at a time, the per-camera
 * minimum interval, the reason shown with each item, and a queued inspection reviewed as good
 * joining the good set, counted as waiting for the next retrain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
const ids: Record<string, string> = {};

interface QueueJson {
  waiting: number;
  items: { reason: string; why: string; inspection: { id: string; camera: string } }[];
}

const queue = async (): Promise<QueueJson> => (await get(server, '/api/v1/review-queue?product=widget')).json() as Promise<QueueJson>;
const goodSet = async (): Promise<string[]> =>
  (((await (await get(server, '/api/v1/products/widget/good-set')).json()) as { items: { inspectionId: string }[] }).items).map((i) => i.inspectionId);
const review = (id: string, verdict: string) => post(server, `/api/v1/inspections/${id}/review`, { verdict }, 'qa');
const policy = (review: Record<string, unknown>) => post(server, '/api/v1/products/widget/line-health-settings', { review });

beforeAll(async () => {
  server = await startTestServer();
  // every clear OK part is sampled here, so the test does not depend on chance
  expect((await policy({ okShare: 1, band: 0.1, minIntervalMs: 60_000, feedGoodSet: true })).status).toBe(200);
  const grey = await greyPng(32, 32, 128); // score 0: a clear OK
  const white = await greyPng(32, 32, 255); // score 1: NG
  const near = await greyPng(32, 32, 184); // score 0.44: OK, near the threshold
  const plan: [string, Buffer, string][] = [
    ['ok', grey, 'c1'],
    ['ng', white, 'c1'],
    ['near', near, 'c1'],
    ['ngAgain', white, 'c1'],
    ['okAgain', grey, 'c1'],
    ['ngOther', white, 'c2'],
  ];
  for (const [name, image, camera] of plan) ids[name] = await inspectionId(server, image, { line: 'L1', camera });
});
afterAll(() => server?.dispose());

describe('the review queue', () => {
  it('holds every NG first, then near-threshold scores, then sampled OK parts, each with its reason', async () => {
    const { waiting, items } = await queue();
    expect(items.map((i) => [i.reason, i.inspection.id])).toEqual([
      ['ng', ids.ngOther],
      ['ng', ids.ng],
      ['near-threshold', ids.near],
      ['ok-sample', ids.ok],
    ]);
    expect(waiting).toBe(4);
    expect(items[0].why).toMatch(/every NG call is reviewed/);
    expect(items[2].why).toMatch(/within 0\.10 of the threshold/);
    expect(items[3].why).toMatch(/random 100% sample of clear OK parts/);
  });

  it('pages through the queue in its order with a cursor, and bounds the page size', async () => {
    const page = async (query: string) => (await get(server, `/api/v1/review-queue?product=widget&${query}`)).json() as Promise<QueueJson & { nextCursor: string | null }>;
    const first = await page('limit=3');
    expect(first.items).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await page(`limit=3&cursor=${first.nextCursor}`);
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((i) => i.inspection.id)).toEqual([ids.ngOther, ids.ng, ids.near, ids.ok]);
    expect((await get(server, '/api/v1/review-queue?product=widget&limit=201')).status).toBe(400);
    const invalid = await get(server, '/api/v1/review-queue?product=widget&cursor=bm90LWEtY3Vyc29y');
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('takes one inspection per camera and reason in the minimum interval: a stopped line does not fill it', async () => {
    const { items } = await queue();
    const queued = items.map((i) => i.inspection.id);
    expect(queued).not.toContain(ids.ngAgain);
    expect(queued).not.toContain(ids.okAgain);
    // another camera's NG in the same interval is queued
    expect(queued).toContain(ids.ngOther);
  });

  it('sends a queued inspection reviewed as OK into the good set, and counts it as waiting for a retrain', async () => {
    expect((await (await get(server, '/api/v1/products/widget/good-set/waiting')).json()).waiting).toBe(0);
    expect((await review(ids.ok, 'ok')).status).toBe(201);
    expect(await goodSet()).toEqual([ids.ok]);
    expect((await (await get(server, '/api/v1/products/widget/good-set/waiting')).json()).waiting).toBe(1);
    const detail = (await (await get(server, `/api/v1/line-health/inspections/${ids.ok}`)).json()) as { queue: { reason: string; waiting: boolean } };
    expect(detail.queue).toMatchObject({ reason: 'ok-sample', waiting: false });
    expect((await queue()).waiting).toBe(3);
  });

  it('leaves defects and inspections the queue did not ask for out of the good set', async () => {
    expect((await review(ids.ng, 'true_defect')).status).toBe(201);
    expect((await review(ids.okAgain, 'ok')).status).toBe(201);
    expect(await goodSet()).toEqual([ids.ok]);
    expect((await queue()).items.map((i) => i.inspection.id)).toEqual([ids.ngOther, ids.near]);
  });

  it('does the same for a view reviewed with its whole part', async () => {
    const views = [
      { name: 'top', product: 'widget' },
      { name: 'side', product: 'widget' },
    ];
    expect((await post(server, '/api/v1/products/assembly/views', { views, timeoutMs: 60_000, reason: 'two cameras' })).status).toBe(200);
    const white = await greyPng(32, 32, 255);
    const top = (ids.partTop = await inspectionId(server, white, { product: 'assembly', camera: 'c3', params: { part: 'P-1', view: 'top' } }));
    // the same camera's next NG is inside the interval: not queued
    const side = await inspectionId(server, white, { product: 'assembly', camera: 'c3', params: { part: 'P-1', view: 'side' } });
    const queued = (await queue()).items.map((i) => i.inspection.id);
    expect(queued).toContain(top);
    expect(queued).not.toContain(side);
    expect((await post(server, '/api/v1/parts/assembly/P-1/review', { verdict: 'good', pass: 1 }, 'qa')).status).toBe(201);
    expect(await goodSet()).toEqual([ids.ok, top]);
  });

  it('leaves the good set to a trainer by default', async () => {
    expect((await policy({ okShare: 1 })).status).toBe(200);
    expect((await review(ids.near, 'false_alarm')).status).toBe(201);
    expect(await goodSet()).toEqual([ids.ok, ids.partTop]);
  });

  it('shows the waiting entries in the metrics', async () => {
    const text = await (await get(server, '/metrics', 'admin')).text();
    expect(text).toMatch(/kensa_review_queue_waiting\{product="widget",reason="ng"\} 1/);
    expect(text).not.toMatch(/kensa_review_queue_waiting\{product="widget",reason="ok-sample"\}/);
  });

  it('lets only admins change the policy, and refuses an invalid one with a problem document', async () => {
    expect((await post(server, '/api/v1/products/widget/line-health-settings', { review: { okShare: 0.5 } }, 'qa')).status).toBe(403);
    const invalid = await policy({ okShare: 2 });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const settings = (await (await get(server, '/api/v1/products/widget/line-health-settings')).json()) as { drift: { window: number }; review: { feedGoodSet: boolean } };
    expect(settings.drift.window).toBe(100);
    expect(settings.review.feedGoodSet).toBe(false);
  });
});
