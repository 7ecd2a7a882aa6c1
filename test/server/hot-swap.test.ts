/** Activation and rollback of model versions under load: atomic, audited, and no request fails. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureModel } from '../helpers/fixture-model.js';
import { get, greyPng, inspect, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let white: Buffer;
beforeAll(async () => {
  server = await startTestServer({ config: { maxQueue: 256 } });
  white = await greyPng(96, 96, 255);
});
afterAll(() => server?.dispose());

interface Answer {
  status: number;
  version?: string;
  decision?: string;
  sentAt: number;
}

/** Keeps `concurrency` inspections of a white part in flight until `stop()`. */
function load(concurrency: number) {
  const answers: Answer[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      const sentAt = performance.now();
      const response = await inspect(server, white, { as: 'image/png' });
      const body = response.status === 200 ? ((await response.json()) as { modelVersion: string; decision: string }) : null;
      answers.push({ status: response.status, version: body?.modelVersion, decision: body?.decision, sentAt });
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return answers;
    },
  };
}

describe('hot swap', () => {
  it('activates a new version under load with zero failed requests', async () => {
    // v2 calls white parts OK (higher threshold); it is copied in while the server runs
    await writeFixtureModel(server.modelsDir, { version: 'v2', imageThreshold: 0.6, createdAt: '2025-02-01T00:00:00.000Z' });
    const traffic = load(12);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const response = await post(server, '/api/v1/models/widget/v2/activate', {});
    const switchedAt = performance.now();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ product: 'widget', activeVersion: 'v2', previousVersion: 'v1' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const answers = await traffic.stop();

    expect(answers.length).toBeGreaterThan(24);
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    const before = answers.filter((a) => a.version === 'v1');
    const after = answers.filter((a) => a.sentAt > switchedAt);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((a) => a.decision === 'NG')).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((a) => a.version === 'v2' && a.decision === 'OK')).toBe(true);
  });

  it('rolls back under load, then refuses to roll back past the first version', async () => {
    const traffic = load(8);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await post(server, '/api/v1/models/widget/rollback', {});
    const switchedAt = performance.now();
    expect(await response.json()).toEqual({ product: 'widget', activeVersion: 'v1', previousVersion: 'v2' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const answers = await traffic.stop();
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(answers.filter((a) => a.sentAt > switchedAt).every((a) => a.version === 'v1' && a.decision === 'NG')).toBe(true);

    const again = await post(server, '/api/v1/models/widget/rollback', {});
    expect(again.status).toBe(409);
    expect((await again.json()).title).toBe('Nothing to roll back to');
  });

  it('lists versions and products, and audits who switched', async () => {
    const models = (await (await get(server, '/api/v1/models?product=widget')).json()) as { items: { version: string; active: boolean }[] };
    expect(models.items.map((m) => [m.version, m.active])).toEqual([
      ['v2', false],
      ['v1', true],
    ]);
    const products = await (await get(server, '/api/v1/products')).json();
    expect(products.items).toEqual([{ id: 'widget', activeVersion: 'v1', versions: 2, loaded: true }]);

    const audit = (await (await get(server, '/api/v1/audit', 'admin')).json()) as { items: { action: string; target: string; actorKeyId: number }[] };
    expect(audit.items.map((e) => [e.action, e.target])).toEqual([
      ['model.rollback', 'widget/v1'],
      ['model.activate', 'widget/v2'],
    ]);
    expect(audit.items.every((e) => e.actorKeyId === 1)).toBe(true);
  });

  it('keeps the active version across a restart', async () => {
    await post(server, '/api/v1/models/widget/v2/activate', {});
    server = await server.restart({ maxQueue: 256 });
    const body = await (await inspect(server, white)).json();
    expect(body.modelVersion).toBe('v2');
  });

  it('says clearly what is wrong with an unknown or broken version', async () => {
    const unknown = await post(server, '/api/v1/models/widget/v9/activate', {});
    expect(unknown.status).toBe(404);
    const traversal = await post(server, '/api/v1/models/widget/..%2F..%2Fetc/activate', {});
    expect(traversal.status).toBe(400);

    await mkdir(path.join(server.modelsDir, 'widget', 'v3'));
    await writeFile(path.join(server.modelsDir, 'widget', 'v3', 'manifest.json'), '{"format": "kensa-model/1"}');
    const invalid = await post(server, '/api/v1/models/widget/v3/activate', {});
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).title).toBe('The model package is invalid');

    const broken = await writeFixtureModel(server.modelsDir, { version: 'v4' });
    await writeFile(broken.modelPath, 'not an onnx model');
    const unloadable = await post(server, '/api/v1/models/widget/v4/activate', {});
    expect(unloadable.status).toBe(422);
    expect((await unloadable.json()).title).toBe('The model could not be loaded');
    // still serving with the version that was active
    expect((await (await inspect(server, white)).json()).modelVersion).toBe('v2');
  });
});
