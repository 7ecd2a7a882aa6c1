/** Concurrency: every accepted inspection answered and logged exactly once, across restarts, under overload and shutdown. */
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { get, greyPng, startTestServer, type TestServer } from './harness.js';

let server: TestServer | null = null;
afterEach(async () => {
  await server?.dispose();
  server = null;
});

function rows(dataDir: string): { id: string; requestId: string }[] {
  const db = openDatabase(databasePath(dataDir));
  const result = (db.prepare('SELECT id, client FROM inspections').all() as { id: string; client: string }[]).map((row) => ({
    id: row.id,
    requestId: (JSON.parse(row.client) as { requestId: string }).requestId,
  }));
  db.close();
  return result;
}

function post(target: TestServer, image: Buffer, requestId: string): Promise<Response> {
  return fetch(`${target.url}/api/v1/inspect?product=widget&line=L${requestId.length % 3}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.keys.camera}`, 'content-type': 'image/png', 'x-request-id': requestId },
    body: new Uint8Array(image),
  });
}

async function allPages(target: TestServer): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page = (await (await get(target, `/api/v1/inspections?limit=37${query}`)).json()) as { items: { id: string }[]; nextCursor: string | null };
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

/** Inspections in progress, from the Prometheus endpoint. */
async function queueDepth(target: TestServer): Promise<number> {
  const text = await (await get(target, '/metrics', 'admin')).text();
  return Number(/^kensa_queue_depth (\S+)$/m.exec(text)?.[1] ?? 0);
}

describe('under concurrency', () => {
  it('answers 200 concurrent inspections and logs each exactly once, and a restart keeps the log', async () => {
    server = await startTestServer({ config: { maxQueue: 256, maxBatch: 8 } });
    const images = [await greyPng(64, 48, 128), await greyPng(64, 48, 255), await greyPng(80, 40, 128, { x: 10, y: 10, size: 8 })];
    const target = server;
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => post(target, images[i % 3], `req-${i}`)));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ id: string; decision: string }>));
    expect(responses.map((r) => r.status)).toEqual(new Array(200).fill(200));
    expect(bodies.map((b) => b.decision)).toEqual(Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 'OK' : 'NG')));

    const logged = rows(server.dataDir);
    expect(logged).toHaveLength(200);
    expect(new Set(logged.map((row) => row.id)).size).toBe(200);
    expect(logged.map((row) => row.requestId).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `req-${i}`).sort());
    expect(new Set(logged.map((row) => row.id))).toEqual(new Set(bodies.map((b) => b.id)));

    // batches formed: the metrics saw fewer batches than images
    const metrics = await (await get(server, '/metrics', 'admin')).text();
    const batches = Number(/kensa_inference_batch_size_count (\d+)/.exec(metrics)?.[1]);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(200);

    server = await server.restart();
    const listed = await allPages(server);
    expect(listed).toHaveLength(200);
    expect(new Set(listed)).toEqual(new Set(bodies.map((b) => b.id)));
  });

  it('refuses with 503 and Retry-After when the queue is full, and logs exactly the accepted ones', async () => {
    server = await startTestServer({ config: { maxQueue: 3, maxBatch: 1 } });
    const image = await greyPng(1200, 900, 128);
    const target = server;
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => post(target, image, `burst-${i}`)));
    const accepted = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status === 503);
    expect(accepted.length + refused.length).toBe(40);
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await response.json()).title).toBe('The server is overloaded');
    }
    const acceptedIds = await Promise.all(accepted.map(async (r) => ((await r.json()) as { id: string }).id));
    expect(new Set(rows(server.dataDir).map((row) => row.id))).toEqual(new Set(acceptedIds));
    const metrics = await (await get(server, '/metrics', 'admin')).text();
    expect(metrics).toContain(`kensa_inspections_refused_total ${refused.length}`);
    expect(metrics).toMatch(/kensa_queue_depth 0/);
  });

  it('finishes in-flight inspections on shutdown, then refuses connections', async () => {
    server = await startTestServer();
    const image = await greyPng(1500, 1000, 128);
    const target = server;
    let answered = 0;
    const inFlight = Array.from({ length: 6 }, (_, i) =>
      post(target, image, `late-${i}`).then((response) => {
        answered++;
        return response;
      }),
    );
    // Shut down once every request has been accepted (in progress or already answered): a fixed
    // wait is too short on a loaded machine, where some requests would not have connected yet.
    const deadline = Date.now() + 20_000;
    while (answered + (await queueDepth(target)) < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.close();
    const responses = await Promise.all(inFlight);
    expect(responses.map((r) => r.status)).toEqual(new Array(6).fill(200));
    expect(rows(server.dataDir)).toHaveLength(6);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
