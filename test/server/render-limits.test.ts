/**
 * Rendering is bounded: pictures of a large image are capped in size (the original stays full
 * size), overlays come in a few opacities, renders run a few at a time off the event loop, and a
 * full queue answers 503 rather than piling up; list thumbnails take the same slots but wait.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLORMAPS } from '../../src/model/heatmap.js';
import { MAX_RENDER_SIDE, OVERLAY_OPACITIES, RENDER_CONCURRENCY, RENDER_QUEUE_LENGTH } from '../../src/server/render-cache.js';
import { THUMBNAIL_SIZE } from '../../src/server/routes/ui-support.js';
import { get, greyPng, inspectionId, startTestServer, type TestServer } from './harness.js';

/** 24 megapixels: a large camera frame, under the default 40-megapixel limit. */
const LARGE = { width: 6000, height: 4000 };
/** The server's default overlayOpacity, offered besides OVERLAY_OPACITIES. */
const DEFAULT_OPACITY = 0.45;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ config: { overlayOpacity: DEFAULT_OPACITY } });
});
afterAll(() => server?.dispose());

async function picture(route: string) {
  const response = await get(server, route);
  expect(response.status, route).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { bytes, meta: await sharp(bytes).metadata() };
}

/** A large image, its own for each `level`: renders of one test are never in another's cache. */
function largeImage(level: number): Promise<Buffer> {
  return greyPng(LARGE.width, LARGE.height, level, { x: 4000, y: 1000, size: 600 });
}

/** Polls /metrics until `done` settles; the largest value each gauge showed. */
async function peakGauges(done: Promise<unknown>, names: string[]): Promise<Record<string, number>> {
  const peaks = Object.fromEntries(names.map((name) => [name, 0]));
  let finished = false;
  void done.finally(() => (finished = true));
  while (!finished) {
    const text = await (await get(server, '/metrics', 'admin')).text();
    for (const name of names) {
      const value = Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      if (value > peaks[name]) peaks[name] = value;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return peaks;
}

describe('rendering limits', () => {
  it(`caps heatmaps, overlays and masks at ${MAX_RENDER_SIDE} pixels a side and serves the original at full size`, async () => {
    const original = await largeImage(128);
    const id = await inspectionId(server, original);
    for (const file of ['heatmap', 'overlay', 'mask']) {
      const { meta } = await picture(`/api/v1/inspections/${id}/${file}`);
      expect([meta.width, meta.height], file).toEqual([MAX_RENDER_SIDE, Math.round((MAX_RENDER_SIDE * LARGE.height) / LARGE.width)]);
    }
    const image = await picture(`/api/v1/inspections/${id}/image`);
    expect(image.bytes.equals(original)).toBe(true);
    expect([image.meta.width, image.meta.height]).toEqual([LARGE.width, LARGE.height]);
  });

  it('keeps the event loop responsive while large overlays render', async () => {
    const id = await inspectionId(server, await largeImage(120));
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    // Fewer than the queue holds, so every one renders.
    const statuses = await Promise.all(OVERLAY_OPACITIES.map(async (opacity) => (await get(server, `/api/v1/inspections/${id}/overlay?opacity=${opacity}`)).status));
    lag.disable();
    expect(statuses.every((status) => status === 200)).toBe(true);
    // Blended on the event loop, these overlays held it for seconds; in sharp it waits tens of milliseconds.
    expect(lag.max / 1e6).toBeLessThan(250);
  });

  it(`renders at most ${RENDER_CONCURRENCY} at once, queues ${RENDER_QUEUE_LENGTH}, and refuses more with 503 and Retry-After`, async () => {
    const id = await inspectionId(server, await largeImage(110));
    const routes = COLORMAPS.flatMap((colormap) => [...OVERLAY_OPACITIES, DEFAULT_OPACITY].map((opacity) => `/api/v1/inspections/${id}/overlay?colormap=${colormap}&opacity=${opacity}`));
    expect(routes.length).toBeGreaterThan(RENDER_CONCURRENCY + RENDER_QUEUE_LENGTH);

    const burst = Promise.all(routes.map((route) => get(server, route)));
    const peaks = await peakGauges(burst, ['kensa_renders_running', 'kensa_renders_waiting']);
    const responses = await burst;

    expect(peaks.kensa_renders_running).toBe(RENDER_CONCURRENCY);
    expect(peaks.kensa_renders_waiting).toBeLessThanOrEqual(RENDER_QUEUE_LENGTH);
    const refused = responses.filter((response) => response.status === 503);
    expect(responses.filter((response) => response.status === 200).length).toBeGreaterThanOrEqual(RENDER_CONCURRENCY + RENDER_QUEUE_LENGTH);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length + RENDER_CONCURRENCY + RENDER_QUEUE_LENGTH).toBeGreaterThanOrEqual(routes.length);
    for (const response of refused) {
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await response.json()).title).toBe('Too many pictures are being rendered');
    }
    await Promise.all(responses.filter((response) => response.status === 200).map((response) => response.arrayBuffer()));
  });

  it(`renders a list's thumbnails ${RENDER_CONCURRENCY} at a time, and refuses none of more than the interactive queue holds`, async () => {
    const count = RENDER_CONCURRENCY + RENDER_QUEUE_LENGTH + 6;
    const ids: string[] = [];
    // Each its own image, so that no two share a rendered thumbnail.
    for (let i = 0; i < count; i++) ids.push(await inspectionId(server, await greyPng(2400, 1600, 40 + i * 5, { x: 1600, y: 400, size: 200 })));

    const burst = Promise.all(ids.map((id) => get(server, `/api/v1/inspection-thumbnails/${id}`)));
    const peaks = await peakGauges(burst, ['kensa_renders_running']);
    const responses = await burst;

    // Outside the queue, thumbnails rendered all at once and the gauge stayed at 0.
    expect(peaks.kensa_renders_running).toBe(RENDER_CONCURRENCY);
    expect(responses.map((response) => response.status)).toEqual(Array(count).fill(200));
    for (const response of responses) {
      const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
      expect([meta.format, Math.max(meta.width, meta.height)]).toEqual(['jpeg', THUMBNAIL_SIZE]);
    }
  });

  it("refuses an overlay opacity it does not offer, and offers the server's default", async () => {
    const id = await inspectionId(server, await greyPng(240, 120, 128, { x: 160, y: 30, size: 30 }));
    const odd = await get(server, `/api/v1/inspections/${id}/overlay?opacity=0.37`);
    expect(odd.status).toBe(400);
    expect(odd.headers.get('content-type')).toContain('application/problem+json');
    const problem = await odd.json();
    expect(problem.title).toBe('The overlay opacity is not offered');
    expect(problem.detail).toContain([...OVERLAY_OPACITIES, DEFAULT_OPACITY].sort((a, b) => a - b).join(', '));

    const byDefault = await picture(`/api/v1/inspections/${id}/overlay`);
    const explicit = await picture(`/api/v1/inspections/${id}/overlay?opacity=${DEFAULT_OPACITY}`);
    expect(explicit.bytes.equals(byDefault.bytes)).toBe(true);
  });
});
