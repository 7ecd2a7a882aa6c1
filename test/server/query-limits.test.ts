/**
 * What one stats or list request may ask of the database, through the HTTP API on a real SQLite
 * file holding 45 days of inspections: a stats range over the limit is refused with a problem
 * that names the limit, one within it is answered from the rollups with every inspection counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath, openDatabase } from '../../src/store/database.js';
import { insertInspections, spreadInspections } from '../helpers/bulk-inspections.js';
import { get, startTestServer, type TestServer } from './harness.js';

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Whole hours, so the range asked for is the range counted. */
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const COUNT = 60_000;
const EVERY_MS = Math.floor((45 * DAY) / COUNT);
const START = NOW - COUNT * EVERY_MS;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const db = openDatabase(databasePath(server.dataDir));
  try {
    const version = db.prepare("SELECT id FROM model_versions WHERE product_id = 'widget'").pluck().get() as number;
    insertInspections(db, version, spreadInspections(COUNT, 'widget', START, EVERY_MS));
  } finally {
    db.close();
  }
});
afterAll(() => server?.dispose());

const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /api/v1/stats', () => {
  it('refuses a range longer than 31 days with a problem that says so', async () => {
    const response = await get(server, `/api/v1/stats?product=widget&bucket=day&from=${iso(NOW - 40 * DAY)}&to=${iso(NOW)}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await response.json()).toMatchObject({ title: 'The time range is longer than 31 days', detail: expect.stringContaining('31 days') });
  });

  it('counts every inspection of a 30-day range, the dashboard widest', async () => {
    const from = NOW - 30 * DAY;
    const response = await get(server, `/api/v1/stats?product=widget&bucket=day&from=${iso(from)}&to=${iso(NOW)}`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as { from: string; to: string; buckets: { inspections: number }[] };
    expect(stats).toMatchObject({ from: iso(from), to: iso(NOW) });
    const inRange = spreadInspections(COUNT, 'widget', START, EVERY_MS).filter((row) => row.createdMs >= from && row.createdMs < NOW).length;
    expect(stats.buckets.reduce((sum, bucket) => sum + bucket.inspections, 0)).toBe(inRange);
  });
});

describe('GET /api/v1/inspections', () => {
  it('refuses a page larger than 200', async () => {
    const response = await get(server, '/api/v1/inspections?limit=201');
    expect(response.status).toBe(400);
    expect((await response.json()).detail).toContain('200');
  });
});
