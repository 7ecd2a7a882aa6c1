/**
 * Jobs stored before their errors were scrubbed of server paths (by an older kensa) are shown
 * without them: the job's error, warnings and stage message, and its replayed events. A path in
 * the models folder reads relative to it, any other absolute path by its last name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECIPE } from '../../src/jobs/recipe.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { newId } from '../../src/store/ids.js';
import { TrainingJobEventStore } from '../../src/store/training-job-events.js';
import { TrainingJobStore } from '../../src/store/training-jobs.js';
import { get, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let jobId: string;
let error: string;

beforeAll(async () => {
  server = await startTestServer();
  error = `could not load ${server.modelsDir}/widget/v9/model.onnx (see /var/lib/kensa/jobs/x/runner.log)`;
  const db = openDatabase(databasePath(server.dataDir));
  try {
    const jobs = new TrainingJobStore(db);
    const events = new TrainingJobEventStore(db);
    jobId = newId();
    // as an older kensa stored a failed job: every text as it came
    db.transaction(() => {
      jobs.create({
        id: jobId,
        productId: 'widget',
        version: 'v9',
        config: DEFAULT_RECIPE,
        source: { kind: 'upload', images: 10, goodSetImages: 0 },
        warnings: [`skipped ${server.dataDir}/jobs/${jobId}/images/part-7.png: truncated`],
        createdByKeyId: null,
        createdMs: Date.now(),
      });
      jobs.progress(jobId, 'features', 0.5, `reading /srv/share/parts/batch-3`);
      jobs.finish(jobId, 'failed', { error });
      events.append(jobId, 'warning', { message: `skipped ${server.dataDir}/jobs/${jobId}/images/part-7.png: truncated` });
      events.append(jobId, 'status', { status: 'failed', progress: 0.5, error, modelVersion: null });
    })();
  } finally {
    db.close();
  }
});
afterAll(() => server?.dispose());

const ABSOLUTE_PATH = /(^|[\s(])\//;

describe('a job stored with server paths in its texts', () => {
  it('is shown without them', async () => {
    const response = await get(server, `/api/v1/jobs/${jobId}`);
    expect(response.status).toBe(200);
    const job = (await response.json()) as { error: string; warnings: string[]; message: string };
    expect(job.error).toBe('could not load widget/v9/model.onnx (see runner.log)');
    expect(job.warnings).toEqual(['skipped part-7.png: truncated']);
    expect(job.message).toBe('reading batch-3');
    const list = await (await get(server, '/api/v1/jobs')).text();
    expect(list).toContain('widget/v9/model.onnx');
    expect(list).not.toContain(server.modelsDir);
    expect(list).not.toContain('/var/lib');
  });

  it('replays its events without them', async () => {
    const text = await (await get(server, `/api/v1/jobs/${jobId}/events`)).text();
    const data = text
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { message?: string; error?: string });
    expect(data.map((event) => event.message ?? event.error)).toEqual(['skipped part-7.png: truncated', 'could not load widget/v9/model.onnx (see runner.log)']);
    for (const event of data) expect(JSON.stringify(event)).not.toMatch(ABSOLUTE_PATH);
  });
});
