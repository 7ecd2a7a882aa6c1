/**
 * What one stats or list request may ask of the database, through the HTTP API on a real SQLite
 * file holding 45 days of inspections: a stats range over the limit is refused with a problem
 * that names the limit, one within it is answered from the rollups with every inspection counted;
 * the filter choices are added up from the hourly rollups too, and an inspection's position in its
 * queue is counted up to a cap the answer says it reached.
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
/** The rows, with ids the API takes (26 characters of Crockford base32) and in the order they were made. */
const ROWS = spreadInspections(COUNT, 'widget', START, EVERY_MS).map((row, n) => ({ ...row, id: String(n).padStart(26, '0') }));

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const db = openDatabase(databasePath(server.dataDir));
  try {
    const version = db.prepare("SELECT id FROM model_versions WHERE product_id = 'widget'").pluck().get() as number;
    insertInspections(db, version, ROWS);
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
    const inRange = ROWS.filter((row) => row.createdMs >= from && row.createdMs < NOW).length;
    expect(stats.buckets.reduce((sum, bucket) => sum + bucket.inspections, 0)).toBe(inRange);
  });
});

describe('GET /api/v1/inspection-facets', () => {
  it('counts each product, line and camera from the hourly rollups, from a whole hour on', async () => {
    const body = (await (await get(server, '/api/v1/inspection-facets?days=30')).json()) as {
      since: string;
      combinations: { product: string; line: string | null; camera: string | null; inspections: number }[];
    };
    const since = Date.parse(body.since);
    expect(since % HOUR).toBe(0);
    expect(NOW - since).toBeGreaterThanOrEqual(30 * DAY);
    expect(NOW - since).toBeLessThanOrEqual(30 * DAY + HOUR);
    const counted = new Map<string, number>();
    for (const row of ROWS.filter((inspection) => inspection.createdMs >= since)) {
      const key = `${row.line}/${row.camera}`;
      counted.set(key, (counted.get(key) ?? 0) + 1);
    }
    expect(new Map(body.combinations.map((row) => [`${row.line}/${row.camera}`, row.inspections]))).toEqual(counted);
  });
});

describe('GET /api/v1/inspection-neighbors/:id', () => {
  it('counts the position in the queue up to 10,000 and says where it stopped', async () => {
    const rows = ROWS;
    const neighbors = async (id: string, query = '') => (await get(server, `/api/v1/inspection-neighbors/${id}?${query}`)).json();
    expect(await neighbors(rows.at(-1)!.id)).toMatchObject({ newer: 0, newerCapped: false, older: 10_000, olderCapped: true });
    expect(await neighbors(rows[0].id)).toMatchObject({ newer: 10_000, newerCapped: true, older: 0, olderCapped: false });
    // exactly at the cap is not past it
    expect(await neighbors(rows.at(-10_001)!.id)).toMatchObject({ newer: 10_000, newerCapped: false });
    // under a filter, its own matches are counted, from an anchor outside it too (every 5th row has no line)
    const anchor = rows.filter((row) => row.line === null).at(-5)!;
    const newerOnL1 = rows.filter((row) => row.line === 'L1' && row.createdMs > anchor.createdMs).length;
    expect(await neighbors(anchor.id, 'line=L1')).toMatchObject({ newer: newerOnL1, newerCapped: false, older: 10_000, olderCapped: true });
  });
});

describe('GET /api/v1/inspections', () => {
  it('refuses a page larger than 200', async () => {
    const response = await get(server, '/api/v1/inspections?limit=201');
    expect(response.status).toBe(400);
    expect((await response.json()).detail).toContain('200');
  });
});
