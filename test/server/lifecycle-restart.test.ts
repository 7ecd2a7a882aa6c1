/**
 * A restart while a job trains leaves a clean state: the job is marked failed with the reason,
 * its runner process is gone, no version folder holds half a package, staging folders are
 * removed, and queued jobs resume. Once by a graceful restart, once by killing the server
 * process (SIGKILL) in the middle of training.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/jobs/job-files.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer } from '../../src/server/server.js';
import { ApiKeyStore } from '../../src/store/api-keys.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { eventually, followJob, getJob, syntheticGoodParts, uploadJob, type Client, type JobJson, type UploadFile } from '../jobs/helpers.js';
import { startTestServer } from './harness.js';
import { freePort } from '../../src/util/free-port.js';

const REPO = path.resolve(import.meta.dirname, '../..');
/** DxMI with the `fast` preset: minutes of training, so the restart surely lands in the middle. */
const LONG_JOB = { product: 'flange', method: 'dxmi', inputSize: '128' };

let scratch: string;
let images: UploadFile[];
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'kensa-restart-'));
  images = await syntheticGoodParts(path.join(scratch, 'flange'), 'flange', 4, 16);
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function startJob(client: Client): Promise<JobJson> {
  const response = await uploadJob(client, images, LONG_JOB);
  const job = (await response.json()) as JobJson;
  expect(response.status, JSON.stringify(job)).toBe(202);
  return job;
}

/** Waits until the job's runner reports progress; returns the runner's pid. */
async function trainingPid(client: Client, dataDir: string, jobId: string): Promise<number> {
  return eventually(async () => {
    const job = (await getJob(client, jobId)) as JobJson & { stage: string | null };
    if (job.status !== 'running' || !job.stage) return null;
    const db = openDatabase(databasePath(dataDir));
    try {
      return db.prepare('SELECT pid FROM training_jobs WHERE id = ?').pluck().get(jobId) as number;
    } finally {
      db.close();
    }
  }, 60_000);
}

async function hiddenOrPartial(modelsDir: string): Promise<string[]> {
  const entries = await readdir(path.join(modelsDir, 'flange')).catch(() => []);
  return entries.filter((name) => name.startsWith('.') || name.includes('.partial-'));
}

describe('a graceful restart during training', () => {
  it('marks the running job failed, kills its runner, and resumes the queue', async () => {
    let server = await startTestServer({ models: [] });
    try {
      const running = await startJob(server);
      const queued = await startJob(server);
      expect(queued.status).toBe('queued');
      const pid = await trainingPid(server, server.dataDir, running.id);

      server = await server.restart();
      expect(isAlive(pid)).toBe(false);
      const failed = await getJob(server, running.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^interrupted: the server shut down while the job was running; no model was written/);
      expect(existsSync(path.join(server.dataDir, 'jobs', running.id))).toBe(false);
      expect(existsSync(path.join(server.modelsDir, 'flange', running.version))).toBe(false);

      // The queued job survived the restart and runs now.
      await eventually(async () => ((await getJob(server, queued.id)).status === 'running' ? true : null));
      const events = followJob(server, queued.id);
      await fetch(`${server.url}/api/v1/jobs/${queued.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${server.keys.admin}` } });
      expect((await events).at(-1)?.data.status).toBe('cancelled');
      expect(await hiddenOrPartial(server.modelsDir)).toEqual([]);
    } finally {
      await server.dispose();
    }
  });
});

describe('a crash of the server during training', () => {
  const dataDir = () => path.join(scratch, 'crash', 'data');
  const modelsDir = () => path.join(scratch, 'crash', 'models');
  let client: Client;
  let serverProcess: ChildProcess;

  beforeAll(async () => {
    const db = openDatabase(databasePath(dataDir()));
    const keys = new ApiKeyStore(db);
    client = { url: '', keys: { admin: keys.create('admin', 'test').key, qa: keys.create('qa', 'test').key, camera: keys.create('camera', 'test').key, trainer: keys.create('trainer', 'test').key } };
    db.close();
    const port = await freePort();
    client.url = `http://127.0.0.1:${port}`;
    const args = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir(), '--models-dir', modelsDir(), '--demo', 'false', '--threads', '1', '--log-level', 'warn'];
    serverProcess = spawn(process.execPath, args, { cwd: REPO, stdio: 'ignore' });
    await eventually(() => fetch(`${client.url}/readyz`).then((r) => (r.ok ? true : null), () => null), 60_000);
  });
  afterAll(() => {
    if (serverProcess.exitCode === null) serverProcess.kill('SIGKILL');
  });

  it('leaves no half-written model and marks the job failed when the server comes back', async () => {
    const job = await startJob(client);
    const pid = await trainingPid(client, dataDir(), job.id);
    // What a crash in the middle of writeModelPackage leaves: a staging folder of a dead process.
    const halfWritten = path.join(modelsDir(), 'flange', `${job.version}.partial-${await deadPid()}-1`);
    await mkdir(halfWritten, { recursive: true });
    await writeFile(path.join(halfWritten, 'manifest.json'), '{"format": "kensa-model/1", "product": "fla');

    serverProcess.kill('SIGKILL');
    await new Promise((resolve) => serverProcess.once('exit', resolve));
    // The runner notices its server is gone and exits by itself.
    await eventually(async () => (isAlive(pid) ? null : true), 15_000);
    // What the crash left: the job still "running" in the database, its staged images on disk.
    const db = openDatabase(databasePath(dataDir()));
    expect(db.prepare('SELECT status FROM training_jobs WHERE id = ?').pluck().get(job.id)).toBe('running');
    db.close();
    expect(existsSync(path.join(dataDir(), 'jobs', job.id))).toBe(true);

    const server = await startServer(loadServerConfig({ port: 0, host: '127.0.0.1', threads: 1, dataDir: dataDir(), modelsDir: modelsDir() }, {}), { logger: createLogger('silent') });
    try {
      const restarted: Client = { ...client, url: server.url };
      const failed = await getJob(restarted, job.id);
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatch(/^interrupted: the server stopped while the job was running; no model was written/);
      const events = await followJob(restarted, job.id);
      expect(events.at(-1)?.data).toMatchObject({ status: 'failed' });

      expect(await hiddenOrPartial(modelsDir())).toEqual([]);
      expect(existsSync(path.join(modelsDir(), 'flange', job.version))).toBe(false);
      expect(await readdir(path.join(dataDir(), 'jobs'))).toEqual([]);
      const models = (await (await fetch(`${server.url}/api/v1/models?product=flange`, { headers: { authorization: `Bearer ${client.keys.qa}` } })).json()) as { items: unknown[] };
      expect(models.items).toEqual([]);
    } finally {
      await server.close();
    }
  });
});


/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid as number;
}
