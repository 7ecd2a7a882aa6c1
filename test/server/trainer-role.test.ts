/**
 * Least privilege around training, through the HTTP API: qa reads and reviews, a trainer trains,
 * cancels its own jobs and curates the good set, only an admin puts a model live or cancels
 * anyone's job; only parts reviewed as good enter the good set; a product's queue is capped.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, getJob, syntheticGoodParts, trainJob, uploadJob, type JobJson, type UploadFile } from '../jobs/helpers.js';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from './harness.js';

const QUICK = { method: 'gaussian', inputSize: '64' };
// Feature extraction keeps this one running for a while: later jobs of its product queue behind it.
const SLOW = { method: 'dxmi', inputSize: '128' };

let server: TestServer;
let images: UploadFile[];

beforeAll(async () => {
  server = await startTestServer({ config: { maxQueuedJobsPerProduct: 1 } });
  images = await syntheticGoodParts(path.join(server.dataDir, '..', 'parts'), 'flange', 5, 12);
});
afterAll(() => server?.dispose());

async function problemOf(response: Response, status: number): Promise<{ type: string; title: string; detail: string }> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await response.json()) as { type: string; title: string; detail: string };
}

const cancel = (id: string, role: 'trainer' | 'admin') => post(server, `/api/v1/jobs/${id}/cancel`, {}, role);

describe('training', () => {
  it('is refused to a qa key', async () => {
    const problem = await problemOf(await uploadJob(server, images, { product: 'flange', ...QUICK }, 'qa'), 403);
    expect(problem.detail).toContain('needs the trainer or admin role');
  });

  it("a trainer's job trains, but its model does not become the product's first active one", async () => {
    const { job } = await trainJob(server, images, { product: 'flange', ...QUICK }, 'trainer');
    expect(job.warnings).toContain(`flange has no active model: the new version ${job.version} waits for an admin to activate it`);
    const models = (await (await get(server, '/api/v1/models?product=flange')).json()) as { items: { version: string; active: boolean }[] };
    expect(models.items.map(({ version, active }) => ({ version, active }))).toEqual([{ version: job.version, active: false }]);
    expect((await post(server, `/api/v1/models/flange/${job.version}/activate`, { reason: 'reviewed' }, 'trainer')).status).toBe(403);
    expect((await post(server, `/api/v1/models/flange/${job.version}/activate`, { reason: 'reviewed' }, 'admin')).status).toBe(200);
  });

  it("queues at most maxQueuedJobsPerProduct jobs per product; a trainer cancels only its own, an admin anyone's", async () => {
    const running = await json(await uploadJob(server, images, { product: 'metal', ...SLOW }, 'admin'));
    await eventually(async () => ((await getJob(server, running.id)).status === 'running' ? true : null));
    const queued = await json(await uploadJob(server, images, { product: 'metal', ...QUICK }, 'trainer'));
    expect(queued.status).toBe('queued');

    const full = await problemOf(await uploadJob(server, images, { product: 'metal', ...QUICK }, 'trainer'), 429);
    expect(full).toMatchObject({ type: 'urn:kensa:problem:job-queue-full', title: 'Too many jobs are queued for this product' });
    expect(full.detail).toContain('Product "metal" has 1 training jobs waiting');
    // Another product has a queue of its own.
    const elsewhere = await json(await uploadJob(server, images, { product: 'flange', ...QUICK, version: 'second' }, 'trainer'));

    const notOwn = await problemOf(await cancel(running.id, 'trainer'), 403);
    expect(notOwn.title).toBe('Only the key that started a job, or an admin, may cancel it');
    expect((await getJob(server, running.id)).status).toBe('running');
    expect((await (await cancel(queued.id, 'admin')).json()).status).toBe('cancelled');
    expect((await (await cancel(elsewhere.id, 'trainer')).json()).status).toBe('cancelled');
    expect((await (await cancel(running.id, 'admin')).json()).status).toBe('cancelled');
  });
});

describe('the good set', () => {
  let unreviewed: string;
  let defect: string;
  let good: string;

  beforeAll(async () => {
    [unreviewed, defect, good] = await Promise.all([100, 110, 120].map(async (level) => inspectionId(server, await greyPng(64, 64, level))));
    expect((await post(server, `/api/v1/inspections/${defect}/review`, { verdict: 'true_defect' }, 'qa')).status).toBe(201);
    expect((await post(server, `/api/v1/inspections/${good}/review`, { verdict: 'ok' }, 'qa')).status).toBe(201);
  });

  const add = (id: string, role: 'qa' | 'trainer') => post(server, `/api/v1/inspections/${id}/good-set`, {}, role);

  it('takes no unreviewed part: only a review says a part is good', async () => {
    const problem = await problemOf(await add(unreviewed, 'trainer'), 409);
    expect(problem).toMatchObject({ type: 'urn:kensa:problem:not-reviewed', title: 'The inspection is not reviewed' });
  });

  it('takes no part reviewed as a defect', async () => {
    expect((await problemOf(await add(defect, 'trainer'), 409)).type).toBe('urn:kensa:problem:reviewed-as-defect');
  });

  it('takes a part reviewed as good from a trainer, not from qa', async () => {
    expect((await add(good, 'qa')).status).toBe(403);
    expect(await json(await add(good, 'trainer'), 201)).toMatchObject({ inspectionId: good, reviewState: 'ok' });
    const list = (await (await get(server, '/api/v1/products/widget/good-set', 'qa')).json()) as { items: { inspectionId: string }[] };
    expect(list.items.map((item) => item.inspectionId)).toEqual([good]);
  });
});

async function json(response: Response, status = 202): Promise<JobJson> {
  const body = (await response.json()) as JobJson;
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}
