/**
 * A restart does not blank the line-health dashboard: every camera with inspections of the
 * active model is listed at once, its window (and its latest checks) restored from the stored
 * inspections, before the camera sends another frame.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspectionId, post, startTestServer, type TestServer } from './harness.js';

const WINDOW = 20;

interface HealthJson {
  cameras: { line: string | null; camera: string | null; status: string; frames: number; windowSize: number; checks: { measure: string }[] }[];
}

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  expect((await post(server, '/api/v1/products/widget/line-health-settings', { drift: { window: WINDOW, ngBaseline: WINDOW } })).status).toBe(200);
  const ok = await greyPng(32, 32, 128);
  // a full window and a baseline before it (the NG-rate check needs one), and a camera still warming up
  for (let n = 0; n < 2 * WINDOW; n++) await inspectionId(server, ok, { line: 'L1', camera: 'full' });
  for (let n = 0; n < 5; n++) await inspectionId(server, ok, { line: 'L1', camera: 'new' });
  server = await server.restart();
});

afterAll(() => server?.dispose());

describe('line health after a restart', () => {
  it('lists every camera of the active model with its window restored from the log', async () => {
    const health = (await (await get(server, '/api/v1/line-health?product=widget')).json()) as HealthJson;
    expect(health.cameras.map((c) => [c.line, c.camera, c.frames])).toEqual([
      ['L1', 'full', WINDOW],
      ['L1', 'new', 5],
    ]);
    const [full, fresh] = health.cameras;
    // the fixture package records no calibration reference; the NG rate is checked without one
    expect(full).toMatchObject({ status: 'no-reference', windowSize: WINDOW });
    expect(full.checks.map((c) => c.measure)).toEqual(['ngRate']);
    expect(fresh).toMatchObject({ status: 'warming-up', checks: [] });
  });

  it('goes on from the restored window with the next frame', async () => {
    await inspectionId(server, await greyPng(32, 32, 128), { line: 'L1', camera: 'new' });
    const health = (await (await get(server, '/api/v1/line-health?product=widget')).json()) as HealthJson;
    expect(health.cameras.find((c) => c.camera === 'new')?.frames).toBe(6);
  });
});
