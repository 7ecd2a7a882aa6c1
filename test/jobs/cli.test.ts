/** `kensa jobs start` uploads a folder to a running server and follows the job to its end. */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../server/harness.js';
import { syntheticGoodParts } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');
let server: TestServer;
let scratch: string;
let folder: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'kensa-jobs-cli-'));
  folder = path.join(scratch, 'upload');
  await mkdir(folder);
  for (const image of await syntheticGoodParts(path.join(scratch, 'flange'), 'flange', 5, 12)) await writeFile(path.join(folder, image.name), image.bytes);
  server = await startTestServer({ models: [] });
});
afterAll(async () => {
  await server?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

function kensa(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: REPO, env: { ...process.env, KENSA_API_KEY: server.keys.trainer } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('kensa jobs', () => {
  it('starts a job on a folder of images and follows it until the version is trained', async () => {
    const run = await kensa('jobs', 'start', '--url', server.url, '--product', 'flange', '--method', 'gaussian', '--input-size', '64', '--model-version', 'cli-1', folder);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/uploading 12 files/);
    expect(run.stdout).toMatch(/flange\/cli-1: trained/);
    const list = await kensa('jobs', 'list', '--url', server.url);
    expect(list.stdout).toMatch(/\tflange\tcli-1\tsucceeded\t/);
  });

  it('says why a request is refused, and exits with an error', async () => {
    const run = await kensa('jobs', 'start', '--url', server.url, '--product', 'flange', path.join(folder, readdirSync(folder)[0]));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Too few images: The training set has 1 readable images/);
  });
});
