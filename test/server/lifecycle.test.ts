/**
 * The model lifecycle end to end, with real runner processes, SQLite and ONNX sessions: a good set
 * is uploaded and trained into the product's first version; a second set (a different-looking
 * part) becomes a candidate that is compared and scored in shadow mode, where it disagrees with
 * the active version; promotion switches what new inspections are decided with, rollback
 * switches back, a threshold is re-calibrated, a false alarm joins the good set, and jobs are
 * queued per product and cancelled.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/jobs/job-files.js';
import { TRAINING_NICE } from '../../src/jobs/priority.js';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { eventually, followJob, getJob, lifecycleMaterial, trainJob, uploadJob, type JobJson, type StreamedEvent, type UploadFile } from '../jobs/helpers.js';
import { writeZip } from '../jobs/zip-writer.js';
import { get, inspect, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let scratch: string;
let flange: UploadFile[];
let metal: UploadFile[];
/** Test images of the flange dataset: good parts and defective ones. */
let goodParts: Buffer[];
let defects: Buffer[];
const TRAINING = { product: 'flange', method: 'gaussian', inputSize: '128' };

interface InspectionJson {
  id: string;
  modelVersion: string;
  decision: string;
  threshold: number;
}

async function inspectFlange(image: Buffer): Promise<InspectionJson> {
  const response = await inspect(server, image, { product: 'flange' });
  expect(response.status).toBe(200);
  return response.json() as Promise<InspectionJson>;
}

async function json<T>(response: Response, status = 200): Promise<T> {
  const body = (await response.json()) as T;
  expect(response.status, JSON.stringify(body)).toBe(status);
  return body;
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'kensa-lifecycle-'));
  ({ flange, metal, goodParts, defects } = await lifecycleMaterial(scratch));
  server = await startTestServer({ models: [] });
});
afterAll(async () => {
  await server?.dispose();
  await rm(scratch, { recursive: true, force: true });
});

describe('training a new product from uploaded images', () => {
  let job: JobJson;
  let events: StreamedEvent[];

  it('runs the job in a low-priority process, streams its progress, and activates the first version', async () => {
    const response = await uploadJob(server, flange, TRAINING);
    const queued = await json<JobJson>(response, 202);
    expect(queued.source).toEqual({ kind: 'upload', images: 24, goodSetImages: 0 });
    let nice: number | null = null;
    events = await followJob(server, queued.id, (event) => {
      // While it trains, the runner's threads run at the lowest priority.
      if (event.event === 'progress' && nice === null) nice = runnerNice(server, queued.id);
    });
    job = await getJob(server, queued.id);
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(nice).toBe(TRAINING_NICE);

    const kinds = events.map((e) => e.event);
    expect(kinds[0]).toBe('status');
    expect(events.map((e) => e.data.status).filter(Boolean)).toEqual(['queued', 'running', 'succeeded']);
    const stages = new Set(events.filter((e) => e.event === 'progress').map((e) => e.data.stage));
    expect([...stages]).toEqual(['features', 'train', 'calibrate', 'evaluate']);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(job.modelVersion).toBe(job.version);

    const products = await json<{ items: { id: string; activeVersion: string }[] }>(await get(server, '/api/v1/products'));
    expect(products.items).toEqual([{ id: 'flange', activeVersion: job.version, versions: 1, loaded: true }]);
    const models = await json<{ items: { version: string; metrics: Record<string, number>; method: string }[] }>(await get(server, '/api/v1/models?product=flange'));
    expect(models.items[0]).toMatchObject({ version: job.version, method: 'gaussian' });
    expect(models.items[0].metrics.validationImages).toBeGreaterThanOrEqual(2);

    // The package is in place, complete, and the job's staging is gone.
    expect(existsSync(path.join(server.modelsDir, 'flange', job.version, 'model.onnx'))).toBe(true);
    expect((await readdir(path.join(server.modelsDir, 'flange'))).filter((name) => name.startsWith('.'))).toEqual([]);
    expect(existsSync(path.join(server.dataDir, 'jobs', job.id))).toBe(false);
  });

  it('replays the events to a late client', async () => {
    const replayed = await followJob(server, job.id);
    expect(replayed).toEqual(events);
  });

  it('has an evaluation without a baseline', async () => {
    const comparison = await json<{ baseline: unknown; candidate: { metrics: { goodImages: number; falseCallRate: number } }; verdict: { notWorse: boolean } }>(
      await get(server, job.links.comparison as string),
    );
    expect(comparison.baseline).toBeNull();
    expect(comparison.candidate.metrics.goodImages).toBeGreaterThanOrEqual(2);
    expect(comparison.verdict.notWorse).toBe(true);
  });

  it('decides inspections with the new version', async () => {
    const answered = await Promise.all([...goodParts, ...defects].map(inspectFlange));
    expect(answered.every((i) => i.modelVersion === job.version)).toBe(true);
  });
});

describe('a candidate in shadow mode, promotion and rollback', () => {
  let first: string;
  let candidate: JobJson;

  it('trains a candidate from a zip; it is compared on the same material and put in shadow mode', async () => {
    first = (await json<{ items: { activeVersion: string }[] }>(await get(server, '/api/v1/products'))).items[0].activeVersion;
    // Review material: three defective parts and a good one.
    for (const inspection of await Promise.all(defects.slice(0, 3).map(inspectFlange))) {
      await json(await post(server, `/api/v1/inspections/${inspection.id}/review`, { verdict: inspection.decision === 'NG' ? 'true_defect' : 'missed_defect' }, 'qa'), 201);
    }
    const good = await inspectFlange(goodParts[1]);
    await json(await post(server, `/api/v1/inspections/${good.id}/review`, { verdict: good.decision === 'NG' ? 'false_alarm' : 'ok' }, 'qa'), 201);

    const archive = writeZip(metal.map((file) => ({ name: `metal/${file.name}`, data: file.bytes })));
    ({ job: candidate } = await trainJob(server, [{ name: 'metal.zip', bytes: archive }], TRAINING));
    expect(candidate.source.images).toBe(24);

    const comparison = await json<{
      candidate: { version: string; metrics: { goodImages: number; defectImages: number; falseCalls: number } };
      baseline: { version: string; metrics: { goodImages: number; defectImages: number; falseCalls: number } };
      material: { heldOutGood: number; reviewedGood: number; reviewedDefect: number };
      activeVersion: string;
      shadowVersion: string;
      verdict: { notWorse: boolean; reasons: string[] };
    }>(await get(server, `/api/v1/models/flange/${candidate.version}/comparison`));
    expect(comparison.baseline.version).toBe(first);
    expect(comparison.material).toMatchObject({ reviewedGood: 1, reviewedDefect: 3 });
    expect(comparison.candidate.metrics.goodImages).toBe(comparison.baseline.metrics.goodImages);
    expect(comparison.candidate.metrics.defectImages).toBe(3);
    expect(comparison.activeVersion).toBe(first);
    expect(comparison.shadowVersion).toBe(candidate.version);
    // The new parts look different: the active version calls the new set's held-out good parts NG.
    expect(comparison.baseline.metrics.falseCalls).toBeGreaterThanOrEqual(comparison.material.heldOutGood);
    expect(comparison.verdict.reasons[0]).toMatch(/^false calls: \d+ vs \d+ \((better|same|worse)\)$/);
  });

  it('scores live traffic in shadow without changing decisions, and lists the disagreements', async () => {
    const all = await Promise.all(goodParts.map(inspectFlange));
    expect(all.every((i) => i.modelVersion === first)).toBe(true);
    // The active version was calibrated on 12 held-out parts: it calls some unseen good parts NG. The others are the live traffic to compare on.
    const answered = all.filter((i) => i.decision === 'OK');
    expect(answered.length).toBeGreaterThanOrEqual(2);
    const results = await eventually(async () => {
      const page = await json<{ summary: { scored: number; disagreements: number; shadowOnlyNg: number }; items: { inspection: { id: string; decision: string }; shadow: { decision: string } }[] }>(
        await get(server, `/api/v1/models/flange/${candidate.version}/shadow-results`),
      );
      return page.summary.scored >= 4 ? page : null;
    });
    expect(results.summary.disagreements).toBeGreaterThanOrEqual(answered.length);
    expect(results.summary.shadowOnlyNg).toBe(results.summary.disagreements);
    const ids = new Set(answered.map((i) => i.id));
    expect(results.items.filter((item) => ids.has(item.inspection.id)).every((item) => item.inspection.decision === 'OK' && item.shadow.decision === 'NG')).toBe(true);

    const status = await json<{ shadowVersion: string; summary: { scored: number } }>(await get(server, '/api/v1/products/flange/shadow'));
    expect(status.shadowVersion).toBe(candidate.version);
  });

  it('promotes the candidate: new inspections are decided by it, and the audit says who and why', async () => {
    const promoted = await json<{ activeVersion: string; previousVersion: string }>(
      await post(server, `/api/v1/models/flange/${candidate.version}/activate`, { reason: 'new supplier, parts look different' }),
    );
    expect(promoted).toEqual({ product: 'flange', activeVersion: candidate.version, previousVersion: first });
    expect((await inspectFlange(goodParts[2])).modelVersion).toBe(candidate.version);
    const status = await json<{ shadowVersion: string | null }>(await get(server, '/api/v1/products/flange/shadow'));
    expect(status.shadowVersion).toBeNull();
  });

  it('rolls back to the earlier version', async () => {
    const rolledBack = await json<{ activeVersion: string }>(await post(server, '/api/v1/models/flange/rollback', { reason: 'too many false calls' }));
    expect(rolledBack.activeVersion).toBe(first);
    expect((await inspectFlange(goodParts[2])).modelVersion).toBe(first);

    const audit = await json<{ items: { action: string; target: string; detail: { reason: string | null } }[] }>(await get(server, '/api/v1/audit', 'admin'));
    const switches = audit.items.filter((e) => e.action.startsWith('model.'));
    expect(switches.slice(0, 2).map((e) => [e.action, e.target, e.detail.reason])).toEqual([
      ['model.rollback', `flange/${first}`, 'too many false calls'],
      ['model.activate', `flange/${candidate.version}`, 'new supplier, parts look different'],
    ]);
    expect(switches.some((e) => e.action === 'model.shadow.start' && e.target === `flange/${candidate.version}`)).toBe(true);
    expect(switches.some((e) => e.action === 'model.activate' && e.detail.reason?.startsWith('first model of flange'))).toBe(true);
  });
});

describe('threshold re-calibration and the good set', () => {
  it('shows rates for candidate thresholds and applies one to new inspections, audited', async () => {
    const version = (await json<{ items: { activeVersion: string }[] }>(await get(server, '/api/v1/products'))).items[0].activeVersion;
    const rates = await json<{ currentThreshold: number; center: number; reviewed: { good: number; defect: number }; rates: { threshold: number; current: boolean; falseCallRate: number | null; escapeRate: number | null }[] }>(
      await get(server, `/api/v1/models/flange/${version}/thresholds`),
    );
    expect(rates.reviewed).toEqual({ good: 1, defect: 3 });
    expect(rates.rates.some((r) => r.current)).toBe(true);
    const escapeRates = rates.rates.map((r) => r.escapeRate as number);
    expect(escapeRates).toEqual([...escapeRates].sort((a, b) => a - b));

    const defect = await inspectFlange(defects[0]);
    const raised = defect.threshold * 1000;
    const applied = await json<{ threshold: number; overridden: boolean }>(await post(server, `/api/v1/models/flange/${version}/threshold`, { threshold: raised, reason: 'test: let everything pass' }));
    expect(applied).toMatchObject({ threshold: raised, overridden: true });
    expect(await inspectFlange(defects[0])).toMatchObject({ decision: 'OK', threshold: raised });
    const tooLow = await post(server, `/api/v1/models/flange/${version}/threshold`, { threshold: rates.center - 1, reason: 'test' });
    expect(tooLow.status).toBe(422);
    expect(await post(server, `/api/v1/models/flange/${version}/threshold`, { threshold: null, reason: 'test' }, 'qa').then((r) => r.status)).toBe(403);

    await json(await post(server, `/api/v1/models/flange/${version}/threshold`, { threshold: null, reason: 'back to calibration' }));
    expect((await inspectFlange(defects[0])).threshold).toBe(defect.threshold);
    const audit = await json<{ items: { action: string; detail: { reason: string } }[] }>(await get(server, '/api/v1/audit', 'admin'));
    expect(audit.items.filter((e) => e.action === 'model.threshold').map((e) => e.detail.reason)).toEqual(['back to calibration', 'test: let everything pass']);
  });

  it('adds an inspection QA reviewed as good to the good set, and the next job trains on it', async () => {
    const inspection = await inspectFlange(goodParts[3]);
    await json(await post(server, `/api/v1/inspections/${inspection.id}/review`, { verdict: inspection.decision === 'NG' ? 'false_alarm' : 'ok' }, 'qa'), 201);
    const added = await json<{ inspectionId: string; file: string; reviewState: string }>(await post(server, `/api/v1/inspections/${inspection.id}/good-set`, {}, 'trainer'), 201);
    expect(added).toMatchObject({ inspectionId: inspection.id, reviewState: inspection.decision === 'NG' ? 'false_alarm' : 'ok' });
    expect(existsSync(path.join(server.dataDir, 'good-sets', 'flange', added.file))).toBe(true);
    const list = await json<{ items: { inspectionId: string }[] }>(await get(server, '/api/v1/products/flange/good-set'));
    expect(list.items.map((i) => i.inspectionId)).toEqual([inspection.id]);

    const defect = await inspectFlange(defects[1]);
    await json(await post(server, `/api/v1/inspections/${defect.id}/review`, { verdict: 'true_defect' }, 'qa'), 201);
    expect((await post(server, `/api/v1/inspections/${defect.id}/good-set`, {}, 'trainer')).status).toBe(409);

    const response = await uploadJob(server, flange, { ...TRAINING, dxmiPreset: 'fast' });
    const job = await json<JobJson>(response, 202);
    expect(job.source).toEqual({ kind: 'upload', images: 24, goodSetImages: 1 });
    expect(existsSync(path.join(server.dataDir, 'jobs', job.id, 'images', 'good-set', added.file))).toBe(true);
    await json(await post(server, `/api/v1/jobs/${job.id}/cancel`, {}, 'admin'));
  });
});

describe('the queue and cancellation', () => {
  it('runs one job per product, queues the next, and cancels queued and running jobs without leaving anything', async () => {
    const running = await json<JobJson>(await uploadJob(server, flange, { ...TRAINING, method: 'dxmi' }), 202);
    const queued = await json<JobJson>(await uploadJob(server, flange, TRAINING), 202);
    expect(queued).toMatchObject({ status: 'queued', queuePosition: 1 });

    const cancelledQueued = await json<JobJson>(await post(server, `/api/v1/jobs/${queued.id}/cancel`, {}, 'admin'));
    expect(cancelledQueued.status).toBe('cancelled');
    expect((await post(server, `/api/v1/jobs/${queued.id}/cancel`, {}, 'admin')).status).toBe(409);

    const pid = await eventually(async () => {
      const job = await getJob(server, running.id);
      return job.status === 'running' && (job as JobJson & { stage: string | null }).stage ? runnerPid(server, running.id) : null;
    });
    expect(isAlive(pid)).toBe(true);
    const cancelled = await json<JobJson>(await post(server, `/api/v1/jobs/${running.id}/cancel`, {}, 'admin'));
    expect(cancelled.status).toBe('cancelled');
    await eventually(async () => (isAlive(pid) ? null : true), 5000);
    for (const id of [running.id, queued.id]) expect(existsSync(path.join(server.dataDir, 'jobs', id))).toBe(false);
    expect((await readdir(path.join(server.modelsDir, 'flange'))).filter((name) => name.startsWith('.'))).toEqual([]);
    const versions = await json<{ items: { version: string }[] }>(await get(server, '/api/v1/models?product=flange'));
    expect(versions.items.map((v) => v.version)).not.toContain(running.version);
  });
});

/** The pid the database records for the job's runner process. */
function runnerPid(server: TestServer, jobId: string): number | null {
  const db = openDatabase(databasePath(server.dataDir));
  try {
    return (db.prepare('SELECT pid FROM training_jobs WHERE id = ?').pluck().get(jobId) as number | null) ?? null;
  } finally {
    db.close();
  }
}

/** The highest priority (lowest nice value) among the runner's threads (Linux /proc). */
function runnerNice(server: TestServer, jobId: string): number | null {
  const pid = runnerPid(server, jobId);
  if (pid === null) return null;
  const tasks = readdirSync(`/proc/${pid}/task`);
  // /proc/<pid>/task/<tid>/stat: the nice value is field 19; fields count from after the ")" that closes the name at 3.
  const nice = tasks.map((tid) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ').at(-1)?.split(' ')[16]));
  return Math.min(...nice);
}

describe('automatic promotion', () => {
  it('activates a candidate that is not worse on the comparison, with the reasons in the audit', async () => {
    const auto = await startTestServer({ models: [], config: { autoPromote: true } });
    try {
      const { job: first } = await trainJob(auto, flange, TRAINING);
      // The active version calls all of the new set's good parts NG; the candidate is not worse on any criterion.
      const { job: second } = await trainJob(auto, [{ name: 'metal.zip', bytes: writeZip(metal.map((f) => ({ name: f.name, data: f.bytes }))) }], TRAINING);
      const comparison = (await (await get(auto, second.links.comparison as string)).json()) as { verdict: { notWorse: boolean }; activeVersion: string; shadowVersion: string | null };
      expect(comparison).toMatchObject({ verdict: { notWorse: true }, activeVersion: second.version, shadowVersion: null });
      const audit = (await (await get(auto, '/api/v1/audit', 'admin')).json()) as { items: { action: string; target: string; actorKeyId: number | null; detail: { reason: string; previousVersion: string } }[] };
      const promotion = audit.items.find((e) => e.action === 'model.activate' && e.target === `flange/${second.version}`);
      expect(promotion).toMatchObject({ actorKeyId: null, detail: { previousVersion: first.version } });
      expect(promotion?.detail.reason).toMatch(/^automatic promotion after job .*: false calls: \d+ vs \d+ \((better|same)\); escapes: 0 vs 0 \(same\)$/);
    } finally {
      await auto.dispose();
    }
  });
});
