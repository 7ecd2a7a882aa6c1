/**
 * Exports of a lot, a part and a time range, read back as a client would: the CSV parsed, the
 * JSON parsed, the zip opened with yauzl, each compared with exactly the inspections that were
 * posted for the selection; a lot larger than a page; who may export; and a client that hangs up
 * in the middle of a zip.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/store/database.js';
import { insertInspections, spreadInspections } from '../helpers/bulk-inspections.js';
import { unzip } from '../helpers/unzip.js';
import { get, greyPng, inspect, type TestServer, startTestServer } from './harness.js';

interface Posted {
  id: string;
  lot: string;
  image: Buffer;
}

let server: TestServer;
const posted: Posted[] = [];
/** Rows straight in SQLite: a lot bigger than an export's page. */
const BIG_LOT = 450;

beforeAll(async () => {
  server = await startTestServer();
  // lot A: grey parts and one with a defect, some with a serial; lot B and no lot around them
  const plan: [string | null, number, Record<string, string>][] = [
    ['LOT-A', 128, { part: 'SN-1', 'attr[heat]': 'H1' }],
    ['LOT-B', 128, {}],
    ['LOT-A', 255, { part: 'SN-2' }],
    [null, 128, {}],
    ['LOT-A', 120, { station: 'ST "quoted", 2' }],
    ['=1+2', 128, {}],
  ];
  for (const [i, [lot, level, params]] of plan.entries()) {
    const image = await greyPng(48 + i, 40, level);
    const response = await inspect(server, image, { params: { ...(lot ? { lot } : {}), ...params } });
    expect(response.status).toBe(200);
    posted.push({ id: ((await response.json()) as { id: string }).id, lot: lot ?? '', image });
  }
  const db = new Database(databasePath(server.dataDir));
  try {
    const version = db.prepare("SELECT id FROM model_versions WHERE product_id = 'widget'").pluck().get() as number;
    const rows = spreadInspections(BIG_LOT, 'widget', Date.parse('2025-01-01T00:00:00Z'), 1000);
    insertInspections(db, version, rows);
    db.prepare("UPDATE inspections SET lot = 'LOT-BIG' WHERE id LIKE 'widget-%'").run();
  } finally {
    db.close();
  }
});
afterAll(() => server?.dispose());

const lotA = () => posted.filter((p) => p.lot === 'LOT-A');

/** RFC 4180 rows: quoted cells with doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else {
      cell += c;
    }
  }
  expect(cell).toBe('');
  return rows;
}

function records(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  for (const row of rows) expect(row).toHaveLength(header.length);
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('exports', () => {
  it("a lot's CSV has exactly its inspections, oldest first, streamed as an attachment", async () => {
    const response = await get(server, '/api/v1/exports/csv?lot=LOT-A');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename=kensa-lot-LOT-A.csv');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const rows = records(await response.text());
    expect(rows.map((row) => row.id)).toEqual(lotA().map((p) => p.id));
    expect(rows.map((row) => row.decision)).toEqual(['OK', 'NG', 'OK']);
    expect(rows[0]).toMatchObject({ lot: 'LOT-A', part: 'SN-1', attributes: '{"heat":"H1"}', product: 'widget', image_stored: 'true', legal_hold: 'false' });
    expect(rows[2].station).toBe('ST "quoted", 2');
  });

  it('neutralizes text that a spreadsheet would run as a formula; the JSON keeps it exact', async () => {
    const rows = records(await (await get(server, `/api/v1/exports/csv?lot=${encodeURIComponent('=1+2')}`)).text());
    expect(rows.map((row) => row.lot)).toEqual(["'=1+2"]);
    const json = (await (await get(server, `/api/v1/exports/json?lot=${encodeURIComponent('=1+2')}`)).json()) as { items: { lot: string }[] };
    expect(json.items.map((item) => item.lot)).toEqual(['=1+2']);
  });

  it("a lot's JSON has exactly its inspections as the API shows them", async () => {
    const response = await get(server, '/api/v1/exports/json?lot=LOT-A');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { exportedAt: string; selection: Record<string, string>; items: { id: string; lot: string; image: { sha256: string } }[] };
    expect(body.selection).toEqual({ lot: 'LOT-A' });
    expect(body.items.map((item) => item.id)).toEqual(lotA().map((p) => p.id));
    expect(body.items.map((item) => item.image.sha256)).toEqual(lotA().map((p) => sha256(p.image)));
  });

  it("a lot's zip has its CSV, JSON, images and overlays, and nothing of other lots", async () => {
    const response = await get(server, '/api/v1/exports/zip?lot=LOT-A');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const entries = await unzip(Buffer.from(await response.arrayBuffer()));
    const ids = lotA().map((p) => p.id);
    expect([...entries.keys()].sort()).toEqual(
      ['README.txt', 'inspections.csv', 'inspections.json', ...ids.map((id) => `images/${id}.png`), ...ids.map((id) => `overlays/${id}.png`)].sort(),
    );
    expect(records(entries.get('inspections.csv')!.toString('utf8')).map((row) => row.id)).toEqual(ids);
    expect((JSON.parse(entries.get('inspections.json')!.toString('utf8')) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual(ids);
    for (const p of lotA()) {
      expect(sha256(entries.get(`images/${p.id}.png`)!)).toBe(sha256(p.image));
      const overlay = await sharp(entries.get(`overlays/${p.id}.png`)!).metadata();
      const original = await sharp(p.image).metadata();
      expect({ format: overlay.format, width: overlay.width, height: overlay.height }).toEqual({ format: 'png', width: original.width, height: original.height });
    }
    expect(entries.get('README.txt')!.toString('utf8')).toContain('selection: lot=LOT-A');
  });

  it("a part's and a time range's records", async () => {
    const part = records(await (await get(server, '/api/v1/exports/csv?part=SN-2')).text());
    expect(part.map((row) => row.id)).toEqual([posted[2].id]);
    const db = new Database(databasePath(server.dataDir), { readonly: true });
    const times = posted.map((p) => db.prepare('SELECT created_ms FROM inspections WHERE id = ?').pluck().get(p.id) as number);
    db.close();
    const range = `from=${new Date(times[1]).toISOString()}&to=${new Date(times[4]).toISOString()}`;
    const inRange = records(await (await get(server, `/api/v1/exports/csv?${range}`)).text());
    expect(inRange.map((row) => row.id)).toEqual(posted.filter((_, i) => times[i] >= times[1] && times[i] < times[4]).map((p) => p.id));
  });

  it('a lot of several pages, every row once, in order', async () => {
    const rows = records(await (await get(server, '/api/v1/exports/csv?lot=LOT-BIG')).text());
    const expected = spreadInspections(BIG_LOT, 'widget', 0, 1).map((row) => row.id);
    expect(rows.map((row) => row.id)).toEqual(expected);
    const json = (await (await get(server, '/api/v1/exports/json?lot=LOT-BIG')).json()) as { items: { id: string }[] };
    expect(json.items.map((item) => item.id)).toEqual(expected);
  });

  it('is for QA and admins: a camera key is refused; a selection is needed', async () => {
    expect((await get(server, '/api/v1/exports/csv?lot=LOT-A', 'camera')).status).toBe(403);
    expect((await get(server, '/api/v1/exports/csv?lot=LOT-A', 'admin')).status).toBe(200);
    const none = await get(server, '/api/v1/exports/zip?product=widget');
    expect(none.status).toBe(400);
    expect(await none.json()).toMatchObject({ title: 'The export has no selection' });
    const halfRange = await get(server, `/api/v1/exports/csv?from=${new Date().toISOString()}`);
    expect(halfRange.status).toBe(400);
  });

  it('survives a client hanging up in the middle of a zip', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/v1/exports/zip?lot=LOT-A`, { headers: { authorization: `Bearer ${server.keys.qa}` }, signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = await get(server, '/api/v1/exports/zip?lot=LOT-A');
    expect((await unzip(Buffer.from(await again.arrayBuffer()))).size).toBe(3 + 2 * lotA().length);
  });
});
