/** An inspection's files: the original image, and heatmap, overlay and mask PNGs rendered on first request. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RENDER_SIDE } from '../../src/server/render-cache.js';
import { BlobStore } from '../../src/store/blob-store.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { get, greyPng, inspectionId, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let original: Buffer;
let id: string;

beforeAll(async () => {
  server = await startTestServer();
  // 240x120, white spot at (160, 30) size 30: NG with one region
  original = await greyPng(240, 120, 128, { x: 160, y: 30, size: 30 });
  id = await inspectionId(server, original);
});
afterAll(() => server?.dispose());

function blobsOf(inspection: string): { image: string; map: string } {
  const db = openDatabase(databasePath(server.dataDir));
  const row = db.prepare('SELECT image_blob AS image, map_blob AS map FROM inspections WHERE id = ?').get(inspection) as { image: string; map: string };
  db.close();
  return row;
}

async function png(response: Response) {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/png');
  const bytes = Buffer.from(await response.arrayBuffer());
  return { bytes, meta: await sharp(bytes).metadata(), pixels: await sharp(bytes).raw().toBuffer({ resolveWithObject: true }) };
}

describe('inspection files', () => {
  it('serves the original image byte for byte with its media type', async () => {
    const response = await get(server, `/api/v1/inspections/${id}/image`);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await response.arrayBuffer()).equals(original)).toBe(true);
    // content-addressed: the file is named by its hash
    expect(blobsOf(id).image).toBe(await BlobStore.sha256(original));
  });

  it('renders the heatmap lazily, at the original size, then serves it from the cache', async () => {
    const derived = new BlobStore(server.dataDir).derivedDir(blobsOf(id).map);
    await expect(stat(derived)).rejects.toThrow(); // answering the camera rendered nothing

    const first = await png(await get(server, `/api/v1/inspections/${id}/heatmap`));
    expect(first.meta).toMatchObject({ format: 'png', width: 240, height: 120, channels: 3 });
    expect(await readdir(derived)).toEqual([`heatmap-turbo-${MAX_RENDER_SIDE}.png`]);
    const cached = path.join(derived, `heatmap-turbo-${MAX_RENDER_SIDE}.png`);
    const renderedAt = (await stat(cached)).mtimeMs;

    const second = await png(await get(server, `/api/v1/inspections/${id}/heatmap`));
    expect(second.bytes.equals(first.bytes)).toBe(true);
    expect((await stat(cached)).mtimeMs).toBe(renderedAt);

    // turbo: the defect is hot (red dominates), the grey background is cold (blue dominates)
    const { data, info } = first.pixels;
    const rgb = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const [r1, , b1] = rgb(175, 45);
    const [r0, , b0] = rgb(20, 100);
    expect(r1).toBeGreaterThan(b1);
    expect(b0).toBeGreaterThan(r0);
  });

  it('renders the mask: white on the defect, black elsewhere', async () => {
    const { meta, pixels } = await png(await get(server, `/api/v1/inspections/${id}/mask`));
    expect(meta).toMatchObject({ width: 240, height: 120, channels: 1 });
    // sharp hands grey PNGs back as RGB: read the first channel
    const value = (x: number, y: number) => pixels.data[(y * pixels.info.width + x) * pixels.info.channels];
    expect(value(175, 45)).toBe(255);
    expect(value(20, 100)).toBe(0);
    expect(value(100, 60)).toBe(0);
  });

  it('renders the overlay over the image, with colormap and opacity options', async () => {
    const plain = await png(await get(server, `/api/v1/inspections/${id}/overlay?opacity=0`));
    expect(plain.meta).toMatchObject({ width: 240, height: 120, channels: 3 });
    // opacity 0: the image itself
    expect([...plain.pixels.data.subarray(0, 3)]).toEqual([128, 128, 128]);

    const full = await png(await get(server, `/api/v1/inspections/${id}/overlay?opacity=1&colormap=gray`));
    const heat = await png(await get(server, `/api/v1/inspections/${id}/heatmap?colormap=gray`));
    expect(full.pixels.data.equals(heat.pixels.data)).toBe(true);

    const half = await png(await get(server, `/api/v1/inspections/${id}/overlay?opacity=0.5&colormap=gray`));
    const i = (100 * 240 + 20) * 3;
    expect(half.pixels.data[i]).toBeCloseTo((128 + heat.pixels.data[i]) / 2, -0.5);
  });

  it('refuses bad options and ids with a problem, and unknown inspections with 404', async () => {
    expect((await get(server, `/api/v1/inspections/${id}/heatmap?colormap=rainbow`)).status).toBe(400);
    expect((await get(server, `/api/v1/inspections/${id}/overlay?opacity=2`)).status).toBe(400);
    expect((await get(server, `/api/v1/inspections/${id}/secrets`)).status).toBe(400);
    expect((await get(server, `/api/v1/inspections/..%2F..%2Fkensa.db/image`)).status).toBe(400);
    expect((await get(server, `/api/v1/inspections/01ARZ3NDEKTSV4RRFFQ69G5FAV/heatmap`)).status).toBe(404);
  });

  it('answers 410 once retention removed the files, and keeps the record', async () => {
    server = await server.restart({ retentionMaxBytes: 0 });
    // the first retention pass runs at start: rows are cleared first, files deleted after the commit
    const derived = path.join(server.dataDir, 'derived');
    for (let i = 0; i < 100 && (blobsOf(id).image !== null || (await readdir(derived)).length > 0); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const file of ['image', 'heatmap', 'overlay', 'mask']) {
      const response = await get(server, `/api/v1/inspections/${id}/${file}`);
      expect(response.status, file).toBe(410);
      expect((await response.json()).title).toBe('The file was removed by the retention policy');
    }
    const record = await (await get(server, `/api/v1/inspections/${id}`)).json();
    expect(record).toMatchObject({ id, decision: 'NG', stored: { image: false, map: false } });
    expect(record.image.sha256).toBe(await BlobStore.sha256(original));
    expect(await readdir(derived)).toEqual([]);
    await expect(stat(new BlobStore(server.dataDir).pathOf(record.image.sha256))).rejects.toThrow(/ENOENT/);
  });
});
