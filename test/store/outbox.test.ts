/** The outbox table: entries written in the inspection's transaction, per matching sink and filter, and their life until delivered or dead. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../src/store/blob-store.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { newId } from '../../src/store/ids.js';
import { InspectionStore, NO_TRACEABILITY } from '../../src/store/inspections.js';
import { ModelRegistryStore } from '../../src/store/model-registry.js';
import { OutboxStore } from '../../src/store/outbox.js';
import { SinkStore, type SinkDefinition } from '../../src/store/sinks.js';
import { fixtureManifest } from '../helpers/fixture-model.js';

let dir: string;
let db: Db;
let blobs: BlobStore;
let sinks: SinkStore;
let outbox: OutboxStore;
let inspections: InspectionStore;
let versionId: number;
let draws: number[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kensa-outbox-'));
  db = openDatabase(path.join(dir, 'kensa.db'));
  blobs = new BlobStore(dir);
  sinks = new SinkStore(db);
  draws = [];
  outbox = new OutboxStore(db, () => draws.shift() ?? 0.99);
  inspections = new InspectionStore(db, outbox);
  versionId = new ModelRegistryStore(db).registerPackage({ dir, modelPath: '', manifest: fixtureManifest() }).id;
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

const sink = (name: string, extra: Partial<SinkDefinition> = {}) =>
  sinks.create({ name, productId: 'widget', line: null, camera: null, kind: 'folder', filter: 'all', okShare: 0, withOverlay: false, deadLetterAfterMs: 60_000, settings: { path: '/tmp/x' }, ...extra })!;

/** Stores an image and a map, and returns the synchronous insert of an inspection that refers to them. */
async function prepare(decision: 'OK' | 'NG', line: string | null = '1'): Promise<() => string> {
  const image = await blobs.put(Buffer.from(`image ${Math.random()}`));
  const map = await blobs.put(Buffer.from(`map ${Math.random()}`));
  return () => {
    const createdMs = Date.now();
    const id = newId(createdMs);
    inspections.insert(
      {
        id,
        createdMs,
        productId: 'widget',
        line,
        camera: '1',
        trace: NO_TRACEABILITY,
        modelVersionId: versionId,
        decision,
        score: decision === 'NG' ? 0.9 : 0.1,
        rawScore: 0,
        threshold: 0.25,
        regions: [],
        image: { sha256: image.sha256, format: 'png', width: 10, height: 10, bytes: 10 },
        map: { width: 4, height: 4 },
        timings: { receiveMs: 0, decodeMs: 0, queueMs: 0, inferenceMs: 0, storeMs: 0, totalMs: 0 },
        client: { apiKeyId: null, address: null, userAgent: null, requestId: 'r' },
      },
      { image, map },
    );
    return id;
  };
}

const log = async (decision: 'OK' | 'NG', line: string | null = '1') => (await prepare(decision, line))();

const entriesOf = (sinkId: number) => db.prepare('SELECT inspection_id FROM outbox WHERE sink_id = ? ORDER BY id').pluck().all(sinkId) as string[];

describe('the outbox', () => {
  it('gets one entry per matching sink with each inspection, as its filter says', async () => {
    const all = sink('all');
    const ngOnly = sink('ng', { filter: 'ng' });
    const sample = sink('sample', { filter: 'sample', okShare: 0.5 });
    const line2 = sink('line2', { line: '2' });
    const otherProduct = sink('other', { productId: 'gadget' });
    draws = [0.2, 0.7];
    const okSampled = await log('OK');
    const okSkipped = await log('OK');
    const ng = await log('NG');
    const onLine2 = await log('OK', '2');
    expect(entriesOf(all.id)).toEqual([okSampled, okSkipped, ng, onLine2]);
    expect(entriesOf(ngOnly.id)).toEqual([ng]);
    expect(entriesOf(sample.id)).toEqual([okSampled, ng]);
    expect(entriesOf(line2.id)).toEqual([onLine2]);
    expect(entriesOf(otherProduct.id)).toEqual([]);
  });

  it("takes a closed part's verdict as its filter takes a decision; sinks for one camera take no parts", async () => {
    const all = sink('all');
    const ngOnly = sink('ng', { filter: 'ng' });
    const sample = sink('sample', { filter: 'sample', okShare: 0.5 });
    const oneCamera = sink('camera', { camera: '1' });
    const line2 = sink('line2', { line: '2' });
    const view = await log('OK');
    const part = (verdict: 'OK' | 'NG' | 'INCOMPLETE', n: number) => {
      const id = db
        .prepare("INSERT INTO part_records (product_id, part_id, pass, expected_views, status, verdict, opened_ms, deadline_ms, closed_ms) VALUES ('widget', ?, 1, '[]', 'complete', ?, 0, 1, 1) RETURNING id")
        .pluck()
        .get(`SN-${n}`, verdict) as number;
      outbox.enqueuePart({ id, productId: 'widget', verdict, closedMs: 1 }, '1', view);
      return id;
    };
    draws = [0.2, 0.7];
    const [okSampled, okSkipped, ng, incomplete] = [part('OK', 1), part('OK', 2), part('NG', 3), part('INCOMPLETE', 4)];
    const partsOf = (sinkId: number) => db.prepare('SELECT part_record_id FROM outbox WHERE sink_id = ? AND part_record_id IS NOT NULL ORDER BY id').pluck().all(sinkId);
    expect(partsOf(all.id)).toEqual([okSampled, okSkipped, ng, incomplete]);
    expect(partsOf(ngOnly.id)).toEqual([ng, incomplete]);
    expect(partsOf(sample.id)).toEqual([okSampled, ng, incomplete]);
    expect(partsOf(oneCamera.id)).toEqual([]);
    expect(partsOf(line2.id)).toEqual([]);
    expect(() => outbox.enqueuePart({ id: ng, productId: 'widget', verdict: null, closedMs: null }, '1', view)).toThrow('still open');
  });

  it("is written in the inspection's transaction: rolled back with it", async () => {
    const all = sink('all');
    const insert = await prepare('NG');
    expect(() =>
      db.transaction(() => {
        insert();
        throw new Error('the caller failed after the insert');
      })(),
    ).toThrow('the caller failed');
    expect(inspections.count()).toBe(0);
    expect(entriesOf(all.id)).toEqual([]);
    const logged = insert();
    expect(entriesOf(all.id)).toEqual([logged]);
  });

  it('hands out a sink\'s oldest pending entry first, until delivered or dead; a dead letter can be sent again', async () => {
    const all = sink('all');
    const [first, second] = [await log('NG'), await log('NG')];
    expect(outbox.head(all.id)?.inspectionId).toBe(first);
    const head = outbox.head(all.id)!;
    outbox.failed(head.id, 'down', Date.now() + 1000);
    expect(outbox.head(all.id)).toMatchObject({ inspectionId: first, attempts: 1, lastError: 'down' });
    outbox.deadLetter(head.id, 'still down');
    expect(outbox.head(all.id)?.inspectionId).toBe(second);
    outbox.delivered(outbox.head(all.id)!.id);
    expect(outbox.head(all.id)).toBeNull();
    expect(outbox.deadLetters(all.id, 10).map((entry) => entry.inspectionId)).toEqual([first]);
    expect(outbox.backlog(all.id)).toEqual({ pending: 0, dead: 1 });
    expect(outbox.resend(head.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(outbox.resend(head.id)).toBeNull();
    expect(outbox.head(all.id)?.inspectionId).toBe(first);
    expect(outbox.pruneDelivered(Date.now() + 1)).toBe(1);
  });
});
