/**
 * What the server tells callers without a key: the public listener says whether it is ready and
 * nothing more; readiness details and metrics go to admin keys, or to anyone on the internal
 * listener. Model-load errors never show the server's paths in an answer; the log has them.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger.js';
import { get, greyPng, inspect, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
const logLines: string[] = [];

beforeAll(async () => {
  const logger = createLogger('warn', { write: (line: string) => void logLines.push(line) });
  server = await startTestServer({ models: [{}, { product: 'doomed' }, { version: 'v2', createdAt: '2024-01-01T00:00:00.000Z' }], config: { internalPort: 0 }, logger });
  // A package that vanished after registration, and a version whose model is not ONNX.
  await rm(path.join(server.modelsDir, 'doomed'), { recursive: true });
  await writeFile(path.join(server.modelsDir, 'widget', 'v2', 'model.onnx'), 'not a model');
  server = await server.restart({ internalPort: 0 });
});
afterAll(() => server?.dispose());

/** True when `text` names the test's temporary folders, or anything else below the temp folder. */
const showsPaths = (text: string) => text.includes(server.modelsDir) || text.includes(os.tmpdir());

describe('the public listener', () => {
  it('tells callers without a key only whether it is ready', async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not-ready' });
  });

  it('gives readiness details to admin keys only', async () => {
    expect((await get(server, '/readyz', 'qa')).status).toBe(403);
    const body = (await (await get(server, '/readyz', 'admin')).json()) as { products: { id: string; error: string | null }[] };
    expect(body.products.map((p) => p.id).sort()).toEqual(['doomed', 'widget']);
  });

  it('serves metrics to admin keys only', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect(await (await get(server, '/metrics', 'admin')).text()).toContain('kensa_queue_depth');
  });
});

describe('model-load errors', () => {
  it('name the package, not its absolute path, in readiness, inspections and activations', async () => {
    const ready = (await (await get(server, '/readyz', 'admin')).json()) as { products: { id: string; error: string | null }[] };
    const loadError = ready.products.find((p) => p.id === 'doomed')?.error ?? '';
    expect(loadError).toContain('doomed/v1');

    const inspection = await inspect(server, await greyPng(20, 20, 128), { product: 'doomed' });
    expect(inspection.status).toBe(503);
    const inspectionDetail = ((await inspection.json()) as { detail: string }).detail;
    expect(inspectionDetail).toContain('doomed/v1');

    const activation = await post(server, '/api/v1/models/widget/v2/activate', {});
    expect(activation.status).toBe(422);
    const activationDetail = ((await activation.json()) as { detail: string }).detail;
    expect(activationDetail).toMatch(/^widget\/v2: /);

    for (const answer of [loadError, inspectionDetail, activationDetail]) expect(showsPaths(answer), answer).toBe(false);
  });

  it('name the package, not its absolute path, when a package on disk is missing or invalid', async () => {
    const missing = await post(server, '/api/v1/models/widget/v9/activate', {});
    expect(missing.status).toBe(404);
    await mkdir(path.join(server.modelsDir, 'widget', 'v3'));
    await writeFile(path.join(server.modelsDir, 'widget', 'v3', 'manifest.json'), '{"format": "kensa-model/1", "prod');
    const invalid = await post(server, '/api/v1/models/widget/v3/activate', {});
    expect(invalid.status).toBe(422);
    const details = [((await missing.json()) as { detail: string }).detail, ((await invalid.json()) as { detail: string }).detail];
    expect(details[1]).toContain('widget/v3');
    for (const detail of details) expect(showsPaths(detail), detail).toBe(false);
  });

  it('are logged in full, with their paths', () => {
    const failures = logLines.filter((line) => /could not load/.test(line));
    expect(failures.some((line) => line.includes(path.join(server.modelsDir, 'doomed', 'v1')))).toBe(true);
    expect(failures.some((line) => line.includes(path.join(server.modelsDir, 'widget', 'v2')))).toBe(true);
  });
});

describe('the internal listener', () => {
  it('listens on loopback by default', () => {
    expect(server.server.internalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.server.internalUrl).not.toBe(server.url);
  });

  it('serves health, readiness details and metrics without a key', async () => {
    const internal = server.server.internalUrl ?? '';
    expect(await (await fetch(`${internal}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${internal}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { products: { id: string }[] }).products.map((p) => p.id).sort()).toEqual(['doomed', 'widget']);
    const metrics = await fetch(`${internal}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('kensa_queue_depth');
  });

  it('serves nothing else: neither the API nor the UI', async () => {
    const internal = server.server.internalUrl ?? '';
    const headers = { authorization: `Bearer ${server.keys.admin}` };
    for (const route of ['/api/v1/inspections', '/api/v1/openapi.json', '/ui/']) {
      expect((await fetch(`${internal}${route}`, { headers })).status, route).toBe(404);
    }
  });
});

describe('without internalPort', () => {
  it('opens no internal listener', async () => {
    const plain = await startTestServer();
    try {
      expect(plain.server.internalUrl).toBeNull();
    } finally {
      await plain.dispose();
    }
  });
});
