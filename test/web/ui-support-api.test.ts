/** The endpoints the web UI needs: whoami, filter facets, queue neighbours and list thumbnails. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THUMBNAIL_SIZE } from '../../src/server/routes/ui-support.js';
import { ROLES } from '../../src/store/api-keys.js';
import { get, greyPng, inspect, post, startTestServer, type TestServer } from '../server/harness.js';

let server: TestServer;
/** Oldest first: a1 (L1/c1 OK), a2 (L1/c1 NG), a3 (L2/c2 OK), a4 (L2/c2 NG), a5 (no line OK). */
const ids: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const grey = await greyPng(300, 200, 128);
  const spotted = await greyPng(300, 200, 128, { x: 200, y: 50, size: 40 });
  const plan: [Buffer, string | undefined, string | undefined][] = [
    [grey, 'L1', 'c1'],
    [spotted, 'L1', 'c1'],
    [grey, 'L2', 'c2'],
    [spotted, 'L2', 'c2'],
    [grey, undefined, undefined],
  ];
  for (const [image, line, camera] of plan) {
    const response = await inspect(server, image, { line, camera });
    expect(response.status).toBe(200);
    ids.push(((await response.json()) as { id: string }).id);
  }
});
afterAll(() => server?.dispose());

describe('GET /api/v1/whoami', () => {
  it('names the key and its role, for every role', async () => {
    for (const role of ROLES) {
      const response = await get(server, '/api/v1/whoami', role);
      expect(response.status, role).toBe(200);
      const body = await response.json();
      expect(body.role).toBe(role);
      expect(server.keys[role]).toContain(`_${body.prefix}_`);
    }
    expect((await (await get(server, '/api/v1/whoami', 'qa')).json()).name).toBe('test qa');
  });

  it('needs a key', async () => {
    expect((await get(server, '/api/v1/whoami', null)).status).toBe(401);
  });
});

describe('GET /api/v1/inspection-facets', () => {
  it('lists products and each product, line and camera with its count', async () => {
    const body = await (await get(server, '/api/v1/inspection-facets')).json();
    expect(body.products).toEqual(['widget']);
    expect(body.combinations).toEqual([
      { product: 'widget', line: null, camera: null, inspections: 1 },
      { product: 'widget', line: 'L1', camera: 'c1', inspections: 2 },
      { product: 'widget', line: 'L2', camera: 'c2', inspections: 2 },
    ]);
  });

  it('is for QA, not cameras', async () => {
    expect((await get(server, '/api/v1/inspection-facets', 'camera')).status).toBe(403);
  });
});

describe('GET /api/v1/inspection-neighbors/:id', () => {
  /** Counts this small are exact (the cap is tested in test/server/query-limits.test.ts). */
  const uncapped = { newerCapped: false, olderCapped: false };
  const neighbors = async (id: string, query = '') => {
    const response = await get(server, `/api/v1/inspection-neighbors/${id}?${query}`);
    expect(response.status).toBe(200);
    return response.json();
  };

  it('walks the list order (newest first) with counts on both sides', async () => {
    const [a1, a2, a3, a4, a5] = ids;
    expect(await neighbors(a3)).toEqual({ previous: a4, next: a2, newer: 2, older: 2, ...uncapped });
    expect(await neighbors(a5)).toEqual({ previous: null, next: a4, newer: 0, older: 4, ...uncapped });
    expect(await neighbors(a1)).toEqual({ previous: a2, next: null, newer: 4, older: 0, ...uncapped });
  });

  it('applies the list filters, also from an inspection outside them', async () => {
    const [a1, a2, a3, a4] = ids;
    expect(await neighbors(a4, 'decision=NG')).toEqual({ previous: null, next: a2, newer: 0, older: 1, ...uncapped });
    // a3 is OK: its neighbours in the NG queue are still the NG parts around it
    expect(await neighbors(a3, 'decision=NG')).toEqual({ previous: a4, next: a2, newer: 1, older: 1, ...uncapped });
    expect(await neighbors(a2, 'line=L1')).toEqual({ previous: null, next: a1, newer: 0, older: 1, ...uncapped });
  });

  it('follows review state: a reviewed inspection still leads to the next unreviewed one', async () => {
    const [a1, a2] = ids;
    expect((await post(server, `/api/v1/inspections/${a2}/review`, { verdict: 'true_defect' }, 'qa')).status).toBe(201);
    expect(await neighbors(a2, 'review=unreviewed&line=L1')).toEqual({ previous: null, next: a1, newer: 0, older: 1, ...uncapped });
    expect((await neighbors(a2, 'review=reviewed')).newer + (await neighbors(a2, 'review=reviewed')).older).toBe(0);
  });

  it('refuses unknown inspections and invalid filters', async () => {
    expect((await get(server, '/api/v1/inspection-neighbors/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    expect((await get(server, `/api/v1/inspection-neighbors/${ids[0]}?decision=MAYBE`)).status).toBe(400);
    expect((await get(server, '/api/v1/inspection-neighbors/not-an-id')).status).toBe(400);
  });
});

describe('GET /api/v1/inspection-thumbnails/:id', () => {
  it('is a small JPEG of the overlay, never cached (it is behind a key), kept next to the map', async () => {
    const response = await get(server, `/api/v1/inspection-thumbnails/${ids[3]}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const bytes = Buffer.from(await response.arrayBuffer());
    const meta = await sharp(bytes).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([THUMBNAIL_SIZE, Math.round((200 / 300) * THUMBNAIL_SIZE)]);

    // the overlay shows the defect: the spot (right half, upper middle) is hotter than the grey part
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    const red = (x: number, y: number) => data[(y * info.width + x) * info.channels];
    expect(red(Math.round((220 / 300) * info.width), Math.round((70 / 200) * info.height))).toBeGreaterThan(red(20, 90) + 60);

    const derived = await readdir(path.join(server.dataDir, 'derived'), { recursive: true });
    expect(derived.some((name) => String(name).includes(`thumbnail-`))).toBe(true);
    const again = await get(server, `/api/v1/inspection-thumbnails/${ids[3]}`);
    expect(Buffer.from(await again.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers 404 for an unknown inspection and 401 without a key', async () => {
    expect((await get(server, '/api/v1/inspection-thumbnails/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    expect((await get(server, `/api/v1/inspection-thumbnails/${ids[0]}`, null)).status).toBe(401);
  });
});

it('documents the UI endpoints in the OpenAPI document', async () => {
  const document = await (await get(server, '/api/v1/openapi.json', null)).json();
  for (const route of ['/api/v1/whoami', '/api/v1/inspection-facets', '/api/v1/inspection-neighbors/{id}', '/api/v1/inspection-thumbnails/{id}']) {
    expect(document.paths[route]?.get, route).toBeDefined();
  }
  expect(document.paths['/api/v1/inspection-neighbors/{id}'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
    expect.arrayContaining(['id', 'product', 'decision', 'review', 'minScore', 'from']),
  );
});
