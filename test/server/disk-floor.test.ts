/**
 * The free-disk floor: below it, training uploads and folder jobs are refused with a 507 problem
 * before a byte is stored, while inspections go on.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeBytes } from '../../src/server/disk-space.js';
import { syntheticGoodParts, uploadJob, type UploadFile } from '../jobs/helpers.js';
import { greyPng, inspect, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let images: UploadFile[];

beforeAll(async () => {
  server = await startTestServer();
  images = await syntheticGoodParts(path.join(server.dataDir, '..', 'flange'), 'flange', 3, 10);
  // A floor above what the disk has free: the state of a full disk, without filling one.
  server = await server.restart({ minFreeDiskBytes: (await freeBytes(server.dataDir)) + 1024 ** 4, trainingRoots: [path.join(server.dataDir, '..')] });
});
afterAll(() => server?.dispose());

describe('below the free-disk floor', () => {
  it('refuses training uploads and folder jobs with 507, and stores nothing', async () => {
    const upload = await uploadJob(server, images, { product: 'flange', method: 'gaussian', inputSize: '64' });
    expect(upload.status).toBe(507);
    expect(upload.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await upload.json()) as { type: string; title: string; detail: string };
    expect(problem.type).toBe('urn:kensa:problem:insufficient-storage');
    expect(problem.title).toBe('The server is short of disk space');
    expect(problem.detail).toMatch(/free, less than the .* kept for inspections/);

    const folder = await post(server, '/api/v1/jobs/from-folder', { product: 'flange', folder: path.join(server.dataDir, '..', 'flange'), method: 'gaussian' });
    expect(folder.status).toBe(507);
    const jobs = await readdir(path.join(server.dataDir, 'jobs')).catch(() => []);
    expect(jobs).toEqual([]);
  });

  it('goes on inspecting', async () => {
    const response = await inspect(server, await greyPng(64, 64, 128));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { decision: string }).decision).toMatch(/^(OK|NG)$/);
  });
});
