/** Training jobs in tests: synthetic good parts, uploads, and following a job to its end. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { readEvents } from '../../src/jobs/server-sent-events.js';
import type { Role } from '../../src/store/api-keys.js';
import { generateDataset } from '../../src/synth/generate.js';

/** What the helpers need of a server: a test server, or one running in another process. */
export interface Client {
  url: string;
  keys: Record<Role, string>;
}

export interface UploadFile {
  name: string;
  bytes: Uint8Array;
}

/** A synthetic dataset at 128x128 (MVTec layout) under `dir`; returns its good training images as upload files. */
export async function syntheticGoodParts(dir: string, kind: 'flange' | 'metal', seed: number, count: number): Promise<UploadFile[]> {
  const dataset = await generateDataset({ out: dir, kind, seed, train: count, testGood: 6, testDefect: 3, width: 128, height: 128, overwrite: true });
  const files = dataset.images.filter((image) => image.split === 'train').map((image) => image.image);
  return Promise.all(files.map(async (file) => ({ name: path.basename(file), bytes: await readFile(file) })));
}

/** Two products' good sets to upload, and the flange's test images to inspect. */
export interface LifecycleMaterial {
  flange: UploadFile[];
  metal: UploadFile[];
  goodParts: Buffer[];
  defects: Buffer[];
}

export async function lifecycleMaterial(scratch: string): Promise<LifecycleMaterial> {
  const flange = await syntheticGoodParts(path.join(scratch, 'flange'), 'flange', 1, 24);
  const metal = await syntheticGoodParts(path.join(scratch, 'metal'), 'metal', 2, 24);
  const testDir = path.join(scratch, 'flange', 'test');
  const imagesIn = async (dir: string): Promise<Buffer[]> => Promise.all((await readdir(path.join(testDir, dir))).map((name) => readFile(path.join(testDir, dir, name))));
  const defectDirs = (await readdir(testDir)).filter((name) => name !== 'good');
  return { flange, metal, goodParts: await imagesIn('good'), defects: (await Promise.all(defectDirs.map(imagesIn))).flat() };
}

/** POST /api/v1/jobs with the files in the field "images"; by default as an admin, whose jobs may activate their model. */
export function uploadJob(server: Client, files: readonly UploadFile[], query: Record<string, string>, role: Role = 'admin'): Promise<Response> {
  const form = new FormData();
  for (const file of files) form.append('images', new Blob([new Uint8Array(file.bytes)]), file.name);
  return fetch(`${server.url}/api/v1/jobs?${new URLSearchParams(query)}`, { method: 'POST', headers: { authorization: `Bearer ${server.keys[role]}` }, body: form });
}

export interface JobJson {
  id: string;
  status: string;
  version: string;
  modelVersion: string | null;
  error: string | null;
  warnings: string[];
  queuePosition: number | null;
  source: { kind: string; images: number; goodSetImages: number };
  links: { comparison: string | null };
}

export interface StreamedEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** Follows the job's event stream until it ends (after the final status); returns every event. */
export async function followJob(server: Client, id: string, onEvent: (event: StreamedEvent) => void = () => {}): Promise<StreamedEvent[]> {
  const response = await fetch(`${server.url}/api/v1/jobs/${id}/events`, { headers: { authorization: `Bearer ${server.keys.qa}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: StreamedEvent[] = [];
  for await (const event of readEvents(response.body as unknown as AsyncIterable<Uint8Array>)) {
    const parsed = { id: Number(event.id), event: event.event, data: JSON.parse(event.data) as Record<string, unknown> };
    events.push(parsed);
    onEvent(parsed);
  }
  return events;
}

export async function getJob(server: Client, id: string): Promise<JobJson> {
  const response = await fetch(`${server.url}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${server.keys.qa}` } });
  expect(response.status).toBe(200);
  return response.json() as Promise<JobJson>;
}

/** Starts a job and waits for its end; fails the test unless it succeeded. */
export async function trainJob(server: Client, files: readonly UploadFile[], query: Record<string, string>, role: Role = 'admin'): Promise<{ job: JobJson; events: StreamedEvent[] }> {
  const response = await uploadJob(server, files, query, role);
  const body = (await response.json()) as JobJson;
  expect(response.status, JSON.stringify(body)).toBe(202);
  const events = await followJob(server, body.id);
  const job = await getJob(server, body.id);
  expect(job.status, job.error ?? '').toBe('succeeded');
  return { job, events };
}

/** Polls `probe` until it returns a value, for up to `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
