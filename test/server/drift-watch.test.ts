/**
 * Drift watch end to end: a gaussian model trained on synthetic flanges (so its package records
 * the calibration reference as every training does), a real server, and cameras sending the
 * synthetic product. After a few hundred normal frames one camera's frames are dimmed by 20%,
 * another's blurred, another's product shifted by a few pixels: each must raise the matching
 * drift event within a bounded number of frames, naming what moved, and the alert must reach a
 * webhook sink through the outbox. A control camera sending normal frames for the same count
 * must raise nothing, and a model package without a reference must say its drift is unavailable
 * instead of failing.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '../../src/synth/generate.js';
import { writeFixtureModel } from '../helpers/fixture-model.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';
import { createSink, SECRET, waitFor } from '../outbox/helpers.js';
import { get, greyPng, inspectionId, startTestServer, type TestServer } from './harness.js';
import { DRIFT_FLANGE_SIDE, trainDriftFlange } from '../../scripts/lib/drift-flange.js';

const SIDE = DRIFT_FLANGE_SIDE;
/** The default window: an event must appear within it (plus one polling step). */
const WINDOW = 100;
const NORMAL_FRAMES = 200;
const STEP = 10;

interface EventJson {
  measure: string;
  camera: string | null;
  explanation: string;
  since: string;
  detectedAt: string;
  resolvedAt: string | null;
}

let root: string;
let server: TestServer;
let live: Buffer[];
let receiver: WebhookReceiver;

const variants = {
  dim: (png: Buffer) => sharp(png).linear(0.8, 0).png().toBuffer(),
  blur: (png: Buffer) => sharp(png).blur(1.2).png().toBuffer(),
  // the camera was bumped: the part sits 4 px right and 3 px down, the conveyor continues at the edges
  shift: (png: Buffer) => sharp(png).extend({ left: 4, top: 3, extendWith: 'copy' }).extract({ left: 0, top: 0, width: SIDE, height: SIDE }).png().toBuffer(),
};

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kensa-drift-'));
  const models = path.join(root, 'models');
  await trainDriftFlange(root, models);
  // an old package: no reference recorded
  await writeFixtureModel(models, { product: 'widget' });
  // the line's parts: other instances than the ones trained and calibrated on
  const dataset = await generateDataset({ out: path.join(root, 'live'), kind: 'flange', seed: 77, train: 150, testGood: 0, testDefect: 0, width: SIDE, height: SIDE });
  live = await Promise.all(dataset.images.map((image) => readFile(image.image)));
  server = await startTestServer({ models: [], config: { modelsDir: models } });
  receiver = await WebhookReceiver.start(SECRET);
  await createSink(server, { name: 'mes', product: 'flange', kind: 'webhook', filter: 'ng', settings: { url: receiver.url, secret: SECRET }, reason: 'alerts to the MES' });
}, 120_000);

afterAll(async () => {
  await receiver?.stop();
  await server?.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Frames a camera has in flight at once: the order within a window does not matter to the tests. */
const IN_FLIGHT = 5;

/** Sends `count` frames to `camera`, `frame(n)` each, a few at a time, in order of n. */
async function send(camera: string, from: number, count: number, frame: (n: number) => Promise<Buffer> | Buffer): Promise<void> {
  for (let n = from; n < from + count; n += IN_FLIGHT) {
    const batch = Array.from({ length: Math.min(IN_FLIGHT, from + count - n) }, (_, k) => n + k);
    await Promise.all(batch.map(async (k) => inspectionId(server, await frame(k), { product: 'flange', line: 'L1', camera })));
  }
}

async function events(camera: string): Promise<EventJson[]> {
  const response = await get(server, `/api/v1/drift-events?product=flange&camera=${camera}&limit=200`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: EventJson[] }).items;
}

/**
 * Normal frames, then changed ones until an event of one of `expected` measures appears (another
 * measure may fire first: blurred parts also score higher); the frames that took and the events.
 */
async function driftRun(camera: string, change: (png: Buffer) => Promise<Buffer>, expected: readonly string[]): Promise<{ frames: number; events: EventJson[]; before: EventJson[] }> {
  const normal = (n: number) => live[n % live.length];
  await send(camera, 0, NORMAL_FRAMES, normal);
  const before = await events(camera);
  let sent = 0;
  for (; sent < 2 * WINDOW; sent += STEP) {
    const found = await events(camera);
    if (found.some((e) => expected.includes(e.measure))) return { frames: sent, events: found, before };
    await send(camera, NORMAL_FRAMES + sent, STEP, (n) => change(normal(n)));
  }
  return { frames: sent, events: await events(camera), before };
}

describe('drift watch on a real server', () => {
  // the cameras run side by side, as on a line: each has its own window
  let runs: Record<keyof typeof variants, Promise<{ frames: number; events: EventJson[]; before: EventJson[] }>>;
  let control: Promise<void>;
  beforeAll(() => {
    runs = {
      dim: driftRun('dim', variants.dim, ['brightness']),
      blur: driftRun('blur', variants.blur, ['focus']),
      shift: driftRun('shift', variants.shift, ['rawScore', 'ngRate']),
    };
    control = send('control', 0, NORMAL_FRAMES + WINDOW + STEP, (n) => live[n % live.length]);
    // each test awaits its own; a failure is reported there
    for (const started of [...Object.values(runs), control]) started.catch(() => undefined);
  });
  const run = (camera: keyof typeof variants) => runs[camera];

  it('dimming the frames by 20% raises a brightness event within the window', async () => {
    const { frames, events: found, before } = await run('dim');
    expect(before).toEqual([]);
    expect(frames).toBeLessThanOrEqual(WINDOW + STEP);
    const measures = found.map((e) => e.measure);
    expect(measures).toContain('brightness');
    const event = found.find((e) => e.measure === 'brightness')!;
    expect(event.explanation).toMatch(/^Brightness fell 2\d%/);
    expect(event.resolvedAt).toBeNull();
    expect(Date.parse(event.since)).toBeLessThanOrEqual(Date.parse(event.detectedAt));
  }, 120_000);

  it('blurring them raises a focus event', async () => {
    const { frames, events: found, before } = await run('blur');
    expect(before).toEqual([]);
    expect(frames).toBeLessThanOrEqual(WINDOW + STEP);
    expect(found.map((e) => e.measure)).toContain('focus');
    expect(found.find((e) => e.measure === 'focus')!.explanation).toMatch(/^Focus .* fell/);
  }, 120_000);

  it('shifting the product raises a score event and no image-quality one', async () => {
    const { frames, events: found, before } = await run('shift');
    expect(before).toEqual([]);
    expect(frames).toBeLessThanOrEqual(WINDOW + STEP);
    const measures = found.map((e) => e.measure);
    expect(measures.some((m) => m === 'rawScore' || m === 'ngRate')).toBe(true);
    expect(measures.filter((m) => m === 'brightness' || m === 'focus' || m === 'contrast')).toEqual([]);
  }, 120_000);

  it('normal frames for the same count raise nothing', async () => {
    await control;
    expect(await events('control')).toEqual([]);
    const health = (await (await get(server, '/api/v1/line-health?product=flange')).json()) as { cameras: { camera: string; status: string; referenceAvailable: boolean; checks: { measure: string }[] }[] };
    const normal = health.cameras.find((c) => c.camera === 'control')!;
    expect(normal.status).toBe('healthy');
    expect(normal.checks.map((c) => c.measure).sort()).toEqual(['brightness', 'contrast', 'focus', 'ngRate', 'rawScore', 'saturation']);
    expect(health.cameras.find((c) => c.camera === 'dim')?.status).toBe('drift');
  }, 120_000);

  it('sends each event to the sinks through the outbox, beside the results', async () => {
    const alerts = () => receiver.accepted.filter((result) => (result.document as { kind?: string }).kind === 'drift');
    await waitFor('the drift alerts', () => alerts().length >= 3);
    const documents = alerts().map((result) => result.document as unknown as { drift: { camera: string; measure: string; explanation: string }; inspection: null });
    expect(documents.find((d) => d.drift.camera === 'dim' && d.drift.measure === 'brightness')?.drift.explanation).toMatch(/^Brightness fell/);
    expect(documents.some((d) => d.drift.camera === 'blur' && d.drift.measure === 'focus')).toBe(true);
    expect(documents.every((d) => d.inspection === null && d.drift.camera !== 'control')).toBe(true);
    expect(alerts().every((result) => result.signatureValid)).toBe(true);
  });

  it('counts the events in the metrics', async () => {
    const text = await (await get(server, '/metrics', 'admin')).text();
    expect(text).toMatch(/kensa_drift_events_total\{product="flange",line="L1",camera="dim",measure="brightness"\} 1/);
    expect(text).toMatch(/kensa_drift_open\{product="flange",line="L1",camera="blur",measure="focus"\} 1/);
    expect(text).not.toMatch(/kensa_drift_events_total\{[^}]*camera="control"/);
  });

  it('says drift is unavailable for a model package without a reference, and keeps inspecting', async () => {
    const grey = await greyPng(32, 32, 128);
    let last = '';
    for (let n = 0; n < WINDOW; n++) last = await inspectionId(server, grey, { product: 'widget', camera: 'old' });
    const health = (await (await get(server, '/api/v1/line-health?product=widget')).json()) as { cameras: { status: string; referenceAvailable: boolean; checks: { measure: string }[] }[] };
    expect(health.cameras).toHaveLength(1);
    expect(health.cameras[0]).toMatchObject({ status: 'no-reference', referenceAvailable: false });
    // the NG rate needs no reference, only inspections before the window
    expect(health.cameras[0].checks.map((c) => c.measure)).not.toContain('brightness');
    const quality = (await (await get(server, `/api/v1/line-health/inspections/${last}`)).json()) as { quality: { brightness: number }; reference: unknown; referenceUnavailable: string };
    expect(quality.quality.brightness).toBeCloseTo(128 / 255, 2);
    expect(quality.reference).toBeNull();
    expect(quality.referenceUnavailable).toMatch(/predates drift watch/);
  }, 60_000);

  it('after a restart, rebuilds each window from the log and keeps the open events open', async () => {
    server = await server.restart();
    const brightness = async () => (await events('dim')).filter((e) => e.measure === 'brightness');
    expect(await brightness()).toHaveLength(1);
    await inspectionId(server, live[0], { product: 'flange', line: 'L1', camera: 'control' });
    await inspectionId(server, await variants.dim(live[1]), { product: 'flange', line: 'L1', camera: 'dim' });
    const health = (await (await get(server, '/api/v1/line-health?product=flange')).json()) as { cameras: { camera: string; status: string; frames: number }[] };
    // one frame since the start, and the window is full: the rest came from the log
    expect(health.cameras.find((c) => c.camera === 'control')).toMatchObject({ status: 'healthy', frames: WINDOW });
    expect(health.cameras.find((c) => c.camera === 'dim')).toMatchObject({ status: 'drift', frames: WINDOW });
    const still = await brightness();
    expect(still).toHaveLength(1);
    expect(still[0].resolvedAt).toBeNull();
  }, 60_000);

  it('answers an unknown product with a problem document', async () => {
    const response = await get(server, '/api/v1/drift-events?product=nope');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});
