/** POST /api/v1/inspect end to end: uploads, decisions, regions, and every way a request is refused. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { NO_TRACEABILITY } from '../../src/store/inspections.js';
import { writeFixtureModel } from '../helpers/fixture-model.js';
import { pngClaiming } from '../image/fixtures.js';
import { get, greyPng, inspect, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { maxUploadBytes: 200_000, minRegionArea: 4 } });
});
afterAll(() => server?.dispose());

async function problem(response: Response, status: number, title: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = await response.json();
  expect(body).toMatchObject({ status, title, type: expect.stringMatching(/^urn:kensa:problem:/) });
  expect(body.detail.length).toBeGreaterThan(10);
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
  return body;
}

describe('uploads and answers', () => {
  it('answers OK for a mid-grey part sent as multipart', async () => {
    const response = await inspect(server, await greyPng(120, 80, 128), { line: 'L1', camera: 'cam-3' });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ product: 'widget', modelVersion: 'v1', decision: 'OK', line: 'L1', camera: 'cam-3', regions: [], threshold: 0.25 });
    expect(body.score).toBeLessThan(0.05);
    expect(body.rawScore).toBeLessThan(0.01);
    expect(body.image).toMatchObject({ format: 'png', width: 120, height: 80 });
    expect(body.links).toEqual({
      self: `/api/v1/inspections/${body.id}`,
      image: `/api/v1/inspections/${body.id}/image`,
      heatmap: `/api/v1/inspections/${body.id}/heatmap`,
      overlay: `/api/v1/inspections/${body.id}/overlay`,
      mask: `/api/v1/inspections/${body.id}/mask`,
    });
    for (const stage of ['receiveMs', 'decodeMs', 'queueMs', 'inferenceMs', 'storeMs']) expect(body.timings[stage]).toBeGreaterThanOrEqual(0);
    expect(body.timings.totalMs).toBeGreaterThanOrEqual(body.timings.decodeMs + body.timings.inferenceMs);
  });

  it('accepts raw image/* and application/octet-stream bodies, sniffing the format', async () => {
    const white = await greyPng(50, 50, 255);
    for (const type of ['image/png', 'application/octet-stream', 'image/jpeg']) {
      const response = await inspect(server, white, { as: type });
      expect(response.status, type).toBe(200);
      const body = await response.json();
      expect(body).toMatchObject({ decision: 'NG', score: 1, image: { format: 'png' } });
      expect(body.rawScore).toBeCloseTo(0.5, 3);
    }
  });

  it('reports a defect region in original-image pixels', async () => {
    // 200x100 image, model input 64x64: a white 20x20 spot at (150, 20)
    const response = await inspect(server, await greyPng(200, 100, 128, { x: 150, y: 20, size: 20 }), { as: 'image/png' });
    const body = await response.json();
    expect(body.decision).toBe('NG');
    expect(body.regions).toHaveLength(1);
    const [region] = body.regions;
    // one map pixel is 3.125 x 1.5625 original pixels; the 3x3 smoothing widens the spot by one map pixel per side
    expect(Math.abs(region.x - 150)).toBeLessThanOrEqual(7);
    expect(Math.abs(region.y - 20)).toBeLessThanOrEqual(4);
    expect(Math.abs(region.x + region.width - 170)).toBeLessThanOrEqual(7);
    expect(Math.abs(region.y + region.height - 40)).toBeLessThanOrEqual(4);
    expect(region.area).toBeGreaterThan(250);
    expect(region.area).toBeLessThan(900);
    expect(region.peak).toBe(1);
  });

  it('drops regions smaller than the minimum area', async () => {
    const strict = await server.restart({ maxUploadBytes: 200_000, minRegionArea: 2000 });
    server = strict;
    const body = await (await inspect(server, await greyPng(200, 100, 128, { x: 150, y: 20, size: 20 }))).json();
    expect(body.decision).toBe('NG');
    expect(body.regions).toEqual([]);
    server = await server.restart({ maxUploadBytes: 200_000, minRegionArea: 4 });
  });

  it('echoes a sane client request id and makes one up otherwise', async () => {
    const image = await greyPng(20, 20, 128);
    const echoed = await fetch(`${server.url}/api/v1/inspect?product=widget`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.camera}`, 'content-type': 'image/png', 'x-request-id': 'cam3-frame-000123' },
      body: new Uint8Array(image),
    });
    expect(echoed.headers.get('x-request-id')).toBe('cam3-frame-000123');
    const made = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('in-process submission (RunningServer.submit, as a hot folder sends)', () => {
  it('runs the same inspection without HTTP: decided, logged and readable through the API', async () => {
    const record = await server.server.submit({
      product: 'widget',
      line: 'L2',
      camera: null,
      trace: NO_TRACEABILITY,
      upload: async () => greyPng(200, 100, 128, { x: 150, y: 20, size: 20 }),
      client: { apiKeyId: null, address: null, userAgent: null, requestId: 'in-process-1' },
    });
    expect(record).toMatchObject({ productId: 'widget', modelVersion: 'v1', decision: 'NG', line: 'L2', image: { format: 'png', width: 200, height: 100 } });
    expect(record.regions.length).toBe(1);
    const logged = await get(server, `/api/v1/inspections/${record.id}`);
    expect(logged.status).toBe(200);
    expect(await logged.json()).toMatchObject({ id: record.id, decision: 'NG', score: record.score, line: 'L2' });
  });

  it('refuses an unknown product and an image it cannot decode, with the errors HTTP turns into problems', async () => {
    const submission = { line: null, camera: null, trace: NO_TRACEABILITY, client: { apiKeyId: null, address: null, userAgent: null, requestId: 'in-process-2' } };
    await expect(server.server.submit({ ...submission, product: 'nope', upload: async () => greyPng(20, 20, 128) })).rejects.toMatchObject({ status: 404 });
    await expect(server.server.submit({ ...submission, product: 'widget', upload: async () => Buffer.from('not an image') })).rejects.toMatchObject({ code: 'unsupported-format', title: 'Unsupported image format' });
  });
});

describe('refusals are problem+json with a clear title', () => {
  it('no file in the form', async () => {
    const form = new FormData();
    form.append('note', 'no image here');
    const response = await fetch(`${server.url}/api/v1/inspect?product=widget`, { method: 'POST', headers: { authorization: `Bearer ${server.keys.camera}` }, body: form });
    await problem(response, 400, 'No image was sent');
  });

  it('no body and no content type', async () => {
    const response = await fetch(`${server.url}/api/v1/inspect?product=widget`, { method: 'POST', headers: { authorization: `Bearer ${server.keys.camera}` } });
    await problem(response, 400, 'No image was sent');
  });

  it('a malformed multipart body', async () => {
    const response = await fetch(`${server.url}/api/v1/inspect?product=widget`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.camera}`, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: '--xyz\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\nPNGDATA',
    });
    await problem(response, 400, 'The multipart body is malformed');
  });

  it('the file in another field', async () => {
    await problem(await inspect(server, await greyPng(20, 20, 128), { field: 'photo' }), 400, 'Unexpected file field');
  });

  it('an empty body', async () => {
    await problem(await inspect(server, Buffer.alloc(0), { as: 'image/png' }), 400, 'The image is empty');
  });

  it('a truncated PNG', async () => {
    const png = await greyPng(100, 100, 77);
    await problem(await inspect(server, png.subarray(0, Math.floor(png.length / 2))), 422, 'The image is truncated');
  });

  it('an unsupported format', async () => {
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(64, 1)]);
    const body = await problem(await inspect(server, gif, { as: 'image/gif' }), 415, 'Unsupported image format');
    expect(body.detail).toContain('GIF');
  });

  it('a decompression bomb', async () => {
    await problem(await inspect(server, await pngClaiming(30_000, 30_000)), 413, 'The image has too many pixels');
  });

  it('an upload over the size limit, as multipart and as a raw body', async () => {
    const big = Buffer.alloc(300_000, 7);
    await problem(await inspect(server, big), 413, 'The upload is too large');
    await problem(await inspect(server, big, { as: 'application/octet-stream' }), 413, 'The upload is too large');
  });

  it('a content type that is not an image', async () => {
    await problem(await inspect(server, Buffer.from('{"image": 1}'), { as: 'application/json' }), 415, 'Unsupported content type');
  });

  it('an unknown product, before the upload is read', async () => {
    const body = await problem(await inspect(server, await greyPng(20, 20, 128), { product: 'gizmo' }), 404, 'Unknown product');
    expect(body.detail).toContain('widget');
  });

  it('an invalid query', async () => {
    const body = await problem(await inspect(server, await greyPng(20, 20, 128), { product: '../etc' }), 400, 'The request is invalid');
    expect(body.errors[0].path).toBe('query.product');
  });

  it('a product with no active model (409), and one whose model is gone (503)', async () => {
    const db = openDatabase(databasePath(server.dataDir));
    db.prepare('INSERT INTO products (id, created_ms) VALUES (?, ?)').run('gadget', Date.now());
    db.close();
    await writeFixtureModel(server.modelsDir, { product: 'doomed' });
    server = await server.restart();
    await problem(await inspect(server, await greyPng(20, 20, 128), { product: 'gadget' }), 409, 'The product has no active model');
    expect((await inspect(server, await greyPng(20, 20, 128), { product: 'doomed' })).status).toBe(200);

    await rm(path.join(server.modelsDir, 'doomed'), { recursive: true });
    server = await server.restart();
    const body = await problem(await inspect(server, await greyPng(20, 20, 128), { product: 'doomed' }), 503, "The product's model is not available");
    expect(body.detail).toContain('doomed');
    const ready = await get(server, '/readyz', 'admin');
    expect(ready.status).toBe(503);
    expect((await ready.json()).products).toContainEqual(expect.objectContaining({ id: 'doomed', loaded: false }));
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  });

  it('survives all of the above', async () => {
    const response = await inspect(server, await greyPng(20, 20, 128));
    expect(response.status).toBe(200);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
