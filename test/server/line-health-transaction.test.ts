/**
 * Line health commits with its inspection: the review-queue entry and the drift event (with its
 * outbox entry) are written in the inspection's own transaction, so a commit that fails takes
 * them all out, and the server's in-memory windows and queue intervals follow the store, not the
 * rolled-back frame. The commit is made to fail by a deferred foreign key that a trigger (added
 * from a second connection to the real database file) violates: SQLite checks it at COMMIT.
 */
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { createSink, SECRET } from '../outbox/helpers.js';
import { get, greyPng, inspect, inspectionId, post, startTestServer, type TestServer } from './harness.js';

const WINDOW = 20;

let server: TestServer;
let db: Database;
let ok: Buffer;
let ng: Buffer;

beforeAll(async () => {
  server = await startTestServer();
  db = openDatabase(databasePath(server.dataDir));
  db.exec('CREATE TABLE doom_target (id INTEGER PRIMARY KEY); CREATE TABLE doom (target INTEGER REFERENCES doom_target(id) DEFERRABLE INITIALLY DEFERRED);');
  ok = await greyPng(32, 32, 128); // score 0
  ng = await greyPng(32, 32, 255); // score 1
  const settings = { drift: { window: WINDOW, ngBaseline: WINDOW }, review: { okShare: 0, minIntervalMs: 60_000 } };
  expect((await post(server, '/api/v1/products/widget/line-health-settings', settings)).status).toBe(200);
});

afterEach(() => db.exec('DROP TRIGGER IF EXISTS doom_on_insert'));

afterAll(async () => {
  db?.close();
  await server?.dispose();
});

/** Every later transaction that inserts into `table` for `camera` fails to commit. */
const doom = (table: string, camera: string) =>
  db.exec(`CREATE TRIGGER doom_on_insert AFTER INSERT ON ${table} WHEN NEW.camera = '${camera}' BEGIN INSERT INTO doom (target) VALUES (1); END`);

const count = (sql: string, ...params: unknown[]) => db.prepare(sql).pluck().get(...params) as number;

async function frames(camera: string): Promise<number | undefined> {
  const health = (await (await get(server, '/api/v1/line-health?product=widget')).json()) as { cameras: { camera: string; frames: number }[] };
  return health.cameras.find((c) => c.camera === camera)?.frames;
}

describe('line health in the inspection transaction', () => {
  it('a failed commit takes the inspection and its review-queue entry out together, and the window forgets the frame', async () => {
    await inspectionId(server, ok, { camera: 'q' });
    doom('review_queue', 'q');
    const failed = await inspect(server, ng, { camera: 'q' });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    expect(count("SELECT COUNT(*) FROM inspections WHERE camera = 'q'")).toBe(1);
    expect(count("SELECT COUNT(*) FROM review_queue WHERE camera = 'q'")).toBe(0);
    expect(await frames('q')).toBe(1);

    db.exec('DROP TRIGGER doom_on_insert');
    // the rolled-back entry does not hold the camera's NG back for the minimum interval
    const queued = await inspectionId(server, ng, { camera: 'q' });
    expect(db.prepare("SELECT inspection_id FROM review_queue WHERE camera = 'q'").pluck().all()).toEqual([queued]);
    expect(await frames('q')).toBe(2);
  });

  it('a failed commit takes the inspection and its drift event, with the alert in the outbox, out together', async () => {
    await createSink(server, { name: 'mes', product: 'widget', kind: 'webhook', filter: 'ng', settings: { url: 'http://127.0.0.1:9/', secret: SECRET }, reason: 'alerts' });
    // a baseline without NG calls, then a window of NG calls: the NG rate rose
    for (let n = 0; n < 2 * WINDOW; n++) await inspectionId(server, ok, { camera: 'd' });
    doom('drift_events', 'd');
    let failures = 0;
    for (let n = 0; n < WINDOW && failures === 0; n++) if ((await inspect(server, ng, { camera: 'd' })).status >= 500) failures++;
    expect(failures).toBe(1);
    const logged = count("SELECT COUNT(*) FROM inspections WHERE camera = 'd'");
    expect(count("SELECT COUNT(*) FROM drift_events WHERE camera = 'd'")).toBe(0);
    expect(count('SELECT COUNT(*) FROM outbox WHERE drift_event_id IS NOT NULL')).toBe(0);
    expect(await frames('d')).toBe(Math.min(WINDOW, logged));

    db.exec('DROP TRIGGER doom_on_insert');
    // the event the rolled-back frame opened is not open in memory: the next frame opens it for real
    await inspectionId(server, ng, { camera: 'd' });
    const events = db.prepare("SELECT id, measure, inspection_id AS inspectionId FROM drift_events WHERE camera = 'd'").all() as { id: number; measure: string; inspectionId: string }[];
    expect(events.map((e) => e.measure)).toEqual(['ngRate']);
    expect(db.prepare('SELECT inspection_id FROM outbox WHERE drift_event_id = ?').pluck().all(events[0].id)).toEqual([events[0].inspectionId]);
  });
});
