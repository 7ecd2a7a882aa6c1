/**
 * Hot folders end to end: a real kensa server watching a real folder. Files dropped at once, one
 * written slowly in chunks, a corrupt one and one with a traceability sidecar are each inspected
 * exactly once and moved to done/ or failed/ (with the reason); across a restart, a file logged
 * but not yet moved is not inspected again and files dropped while kensa was down are picked up;
 * a file refused because the server is saturated waits in the folder and is inspected once there is
 * room; /metrics counts files done, failed, pending and the waits.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { metricValue } from '../helpers/prometheus.js';
import { metricsText, waitFor } from '../outbox/helpers.js';
import { get, greyPng, inspect, startTestServer, type TestServer } from '../server/harness.js';

const SETTLE_MS = 300;
const MAX_UPLOAD_BYTES = 64 * 1024;

let folder: string;
let server: TestServer;

const config = () => ({ hotFolders: JSON.stringify([{ path: folder, product: 'widget', line: 'L1', camera: 'drop' }]), hotFolderSettleMs: SETTLE_MS, maxUploadBytes: MAX_UPLOAD_BYTES });

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'kensa-hot-folder-'));
  server = await startTestServer({ config: config() });
});

afterEach(async () => {
  await server.dispose();
  await rm(folder, { recursive: true, force: true });
});

interface Listed {
  image: { sha256: string };
  decision: string;
  part: string | null;
  lot: string | null;
  line: string | null;
  camera: string | null;
}

async function inspections(): Promise<Listed[]> {
  const response = await get(server, '/api/v1/inspections?camera=drop&limit=200');
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Listed[] }).items;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const listing = async (sub = '') => (await readdir(path.join(folder, sub), { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name).sort();

/** Waits until `done` and `failed` hold these many images (other files beside them are reasons and sidecars). */
async function settled(done: number, failed: number, timeoutMs = 20_000): Promise<void> {
  const images = async (sub: string) => (await listing(sub)).filter((name) => name.endsWith('.png')).length;
  const deadline = Date.now() + timeoutMs;
  while ((await images('done')) < done || (await images('failed')) < failed) {
    if (Date.now() > deadline) throw new Error(`done/ holds ${await images('done')} and failed/ ${await images('failed')}, expected ${done} and ${failed}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Each image exactly once among the logged inspections. */
function expectInspectedOnce(logged: Listed[], images: Uint8Array[]): void {
  expect(logged.map((item) => item.image.sha256).sort()).toEqual(images.map(sha256).sort());
}

describe('hot folder input', () => {
  it('inspects each dropped file once, waits for a slow writer, and moves each to done/ or failed/ with the reason (corrupt, too large)', async () => {
    const good = await greyPng(64, 64, 128);
    const white = await greyPng(64, 64, 255);
    const slow = await greyPng(96, 96, 100, { x: 10, y: 10, size: 8 });
    // the sidecar first, as the README asks, so it is there when the image settles
    await writeFile(path.join(folder, 'good.json'), JSON.stringify({ part: 'SN-4711', lot: 'L-0314', attr: { heat: 'H12' } }));
    await writeFile(path.join(folder, 'good.png'), good);
    await writeFile(path.join(folder, 'white.png'), white);
    await writeFile(path.join(folder, 'corrupt.png'), Buffer.concat([good.subarray(0, 40), Buffer.alloc(200, 7)]));
    await writeFile(path.join(folder, 'huge.png'), Buffer.alloc(MAX_UPLOAD_BYTES + 1));
    await writeFile(path.join(folder, 'notes.txt'), 'not an image');
    // a camera writing over a slow share: chunks further apart than a poll, closer than the settle time
    const chunk = Math.ceil(slow.length / 8);
    for (let offset = 0; offset < slow.length; offset += chunk) {
      await appendFile(path.join(folder, 'slow.png'), slow.subarray(offset, offset + chunk));
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS / 3));
    }

    await settled(3, 2);
    expect(await listing('done')).toEqual(['good.json', 'good.png', 'slow.png', 'white.png']);
    expect(await listing('failed')).toEqual(['corrupt.png', 'corrupt.png.error.json', 'huge.png', 'huge.png.error.json']);
    expect(await listing()).toEqual(['notes.txt']);
    const reason = JSON.parse(await readFile(path.join(folder, 'failed', 'corrupt.png.error.json'), 'utf8')) as { status: number; title: string };
    expect(reason).toMatchObject({ status: 422 });
    expect(reason.title).toMatch(/truncated|corrupt/i);
    const tooLarge = JSON.parse(await readFile(path.join(folder, 'failed', 'huge.png.error.json'), 'utf8')) as { status: number };
    expect(tooLarge.status).toBe(413);

    const logged = await inspections();
    expectInspectedOnce(logged, [good, white, slow]);
    const bySha = new Map(logged.map((item) => [item.image.sha256, item]));
    expect(bySha.get(sha256(good))).toMatchObject({ decision: 'OK', part: 'SN-4711', lot: 'L-0314', line: 'L1', camera: 'drop' });
    expect(bySha.get(sha256(white))).toMatchObject({ decision: 'NG', part: null });
  });

  it('survives a restart mid-run: a file logged but not yet moved is not inspected again, and files dropped meanwhile are picked up', async () => {
    const images = await Promise.all(Array.from({ length: 13 }, (_, i) => greyPng(64, 64, 80 + 5 * i)));
    const name = (i: number) => `part-${String(i).padStart(2, '0')}.png`;
    for (const [i, image] of images.slice(0, 12).entries()) await writeFile(path.join(folder, name(i)), image);
    // stopped while the rest still wait in the folder
    await settled(1, 0);
    await server.close();

    // as if the process had stopped after logging one file but before moving it
    const [inspected] = (await listing('done')).filter((file) => file.endsWith('.png'));
    await rename(path.join(folder, 'done', inspected), path.join(folder, inspected));
    // and a camera kept dropping while kensa was down
    await writeFile(path.join(folder, name(12)), images[12]);

    server = await server.restart();
    await settled(13, 0);
    expect(await listing()).toEqual([]);
    expect(await listing('done')).toEqual(images.map((_, i) => name(i)));
    expectInspectedOnce(await inspections(), images);
  });

  it('refuses a sidecar with invalid traceability fields, naming the field', async () => {
    await writeFile(path.join(folder, 'bad.json'), JSON.stringify({ part: 'SN-1', colour: 'red' }));
    await writeFile(path.join(folder, 'bad.png'), await greyPng(64, 64, 128));
    await settled(0, 1);
    expect(await listing('failed')).toEqual(['bad.json', 'bad.png', 'bad.png.error.json']);
    const reason = JSON.parse(await readFile(path.join(folder, 'failed', 'bad.png.error.json'), 'utf8')) as { status: number; detail: string };
    expect(reason.status).toBe(400);
    expect(reason.detail).toContain('colour');
    expect(await inspections()).toEqual([]);
  });

  it('keeps a file the saturated server refuses in the folder, inspects it once there is room, and counts it in /metrics', async () => {
    // one inspection at a time, so two cameras stalled mid-upload fill every place there is
    server = await server.restart({ ...config(), maxQueue: 1 });
    const image = await greyPng(64, 64, 128);
    /** The folder's series of metric `name`, with `extra` labels. */
    const series = (name: string, extra = '') => `${name}{product="widget",line="L1",camera="drop"${extra}}`;
    const stalled = [stalledUpload(image), stalledUpload(image)];
    try {
      await waitFor('the stalled uploads to fill the server', async () => (await inspect(server, image, { camera: 'probe' })).status === 503);
      await writeFile(path.join(folder, 'waits.png'), image);
        const metric = async (name: string, extra?: string) => metricValue(await metricsText(server), series(name, extra));
      await waitFor('the file to be refused', async () => (await metric('kensa_hot_folder_admission_waits_total')) >= 1);
      expect(await listing()).toEqual(['waits.png']);
      expect(await listing('failed')).toEqual([]);
      expect(await metric('kensa_hot_folder_files_pending')).toBe(1);
    } finally {
      for (const upload of stalled) upload.destroy();
    }

    await settled(1, 0);
    await writeFile(path.join(folder, 'corrupt.png'), image.subarray(0, 60));
    await settled(1, 1);
    expect(await listing()).toEqual([]);
    expectInspectedOnce(await inspections(), [image]);
    const text = await metricsText(server);
    expect(metricValue(text, series('kensa_hot_folder_files_total', ',outcome="done"'))).toBe(1);
    expect(metricValue(text, series('kensa_hot_folder_files_total', ',outcome="failed"'))).toBe(1);
    expect(metricValue(text, series('kensa_hot_folder_files_pending'))).toBe(0);
  }, 30_000);
});

/** A camera that sent its headers and half of an image, then nothing: it holds a place among the images arriving. */
function stalledUpload(image: Uint8Array): http.ClientRequest {
  const request = http.request(`${server.url}/api/v1/inspect?product=widget&camera=stalled`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.keys.camera}`, 'content-type': 'image/png', 'content-length': image.length },
  });
  // cut by the test, or answered once the server gives up on it
  request.on('error', () => {});
  request.write(image.subarray(0, image.length / 2));
  return request;
}

