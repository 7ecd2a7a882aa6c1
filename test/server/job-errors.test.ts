/**
 * A training job that fails on a file error tells its clients what failed without the server's
 * paths, in the job, the job list and the job's events; the server log has the full error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger.js';
import { followJob, getJob, syntheticGoodParts, uploadJob, type JobJson } from '../jobs/helpers.js';
import { get, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = createLogger('info', { write: (line: string) => void logLines.push(line) });
  server = await startTestServer({ models: [], logger });
});
afterAll(() => server?.dispose());

/** Whether `text` names a folder of the server: its data or models folder, or anything under the temp folder. */
const showsPaths = (text: string) => text.includes(server.dataDir) || text.includes(server.modelsDir) || text.includes(os.tmpdir());

describe('a training job that fails on a file error', () => {
  it('reports the error without absolute paths, and logs it with them', async () => {
    const images = await syntheticGoodParts(path.join(server.dataDir, '..', 'parts'), 'flange', 7, 12);
    // The runner caches its backbone in <models>/backbones: a file in its place fails the job with that path in the error.
    const backbones = path.join(server.modelsDir, 'backbones');
    await mkdir(server.modelsDir, { recursive: true });
    await writeFile(backbones, 'not a folder');

    const response = await uploadJob(server, images, { product: 'flange', method: 'gaussian', inputSize: '64' });
    const started = (await response.json()) as JobJson;
    expect(response.status, JSON.stringify(started)).toBe(202);
    const events = await followJob(server, started.id);
    const job = await getJob(server, started.id);

    expect(job.status).toBe('failed');
    const list = await (await get(server, '/api/v1/jobs?product=flange')).text();
    for (const answer of [job.error ?? '', ...job.warnings, list, JSON.stringify(events)]) expect(showsPaths(answer), answer).toBe(false);
    // What failed is still said: the path is shown relative to the models folder.
    expect(job.error).toMatch(/mkdir 'backbones'/);
    expect(events.findLast((event) => event.event === 'status')?.data).toMatchObject({ status: 'failed', error: job.error });

    const logged = logLines.filter((line) => line.includes(started.id) && line.includes('training job ended'));
    expect(logged.some((line) => line.includes(backbones)), logged.join('\n')).toBe(true);
  });
});
