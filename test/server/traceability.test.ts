/**
 * Traceability on the inspect call: the part, lot, station, view and attributes are stored with
 * the inspection, sent back to the line, searchable in the list, described in the OpenAPI
 * document; and every kind of bad input is refused with a problem that says what was wrong,
 * before anything is logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, greyPng, inspect, post, startTestServer, type TestServer } from './harness.js';

let server: TestServer;
let image: Buffer;

beforeAll(async () => {
  server = await startTestServer({ models: [{ product: 'widget' }, { product: 'widget-side' }] });
  image = await greyPng(40, 40, 128);
});
afterAll(() => server?.dispose());

interface Inspection {
  id: string;
  part: string | null;
  lot: string | null;
  station: string | null;
  view: string | null;
  attributes: Record<string, string>;
  partRecord: unknown;
  legalHold: boolean;
}

async function ids(query: string): Promise<string[]> {
  const response = await get(server, `/api/v1/inspections?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Inspection[] }).items.map((item) => item.id);
}

async function count(): Promise<number> {
  return ((await (await get(server, '/api/v1/inspections?limit=200')).json()) as { items: unknown[] }).items.length;
}

describe('traceability fields', () => {
  it('are stored with the inspection and sent back to the line', async () => {
    const params = { part: 'SN-4711', lot: 'L-2025-03-14', station: 'ST4', 'attr[heat]': 'H12', 'attr[shift]': 'B' };
    const response = await inspect(server, image, { params });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as Inspection;
    const expected = { part: 'SN-4711', lot: 'L-2025-03-14', station: 'ST4', view: null, attributes: { heat: 'H12', shift: 'B' }, partRecord: null, legalHold: false };
    expect(answer).toMatchObject(expected);
    expect(await (await get(server, `/api/v1/inspections/${answer.id}`)).json()).toMatchObject(expected);
  });

  it('are trimmed, and all optional', async () => {
    const trimmed = (await (await inspect(server, image, { params: { part: '  SN 1  ' } })).json()) as Inspection;
    expect(trimmed).toMatchObject({ part: 'SN 1', lot: null, station: null, attributes: {} });
    const none = (await (await inspect(server, image)).json()) as Inspection;
    expect(none).toMatchObject({ part: null, lot: null, station: null, view: null, attributes: {} });
  });

  it('find every view of a part by its serial, and a lot, with the other filters', async () => {
    const posted: string[] = [];
    for (const [station, lot] of [['ST1', 'LOT-A'], ['ST2', 'LOT-A'], ['ST3', 'LOT-B']]) {
      const response = await inspect(server, image, { params: { part: 'SN-9001', lot, station } });
      posted.push(((await response.json()) as Inspection).id);
    }
    await inspect(server, image, { params: { part: 'SN-9002', lot: 'LOT-A' } });
    expect(await ids('part=SN-9001')).toEqual([...posted].reverse());
    expect(await ids('part=SN-9001&station=ST2')).toEqual([posted[1]]);
    expect(await ids('lot=LOT-A&part=SN-9001')).toEqual([posted[1], posted[0]]);
    expect((await ids('lot=LOT-A')).length).toBe(3);
    expect(await ids('part=SN-900')).toEqual([]);
  });

  it('are described in the OpenAPI document', async () => {
    const doc = (await (await get(server, '/api/v1/openapi.json', null)).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string; style?: string; schema: { maxProperties?: number } }[] }>>;
    };
    const inspectParameters = doc.paths['/api/v1/inspect'].post.parameters;
    expect(inspectParameters.map((p) => p.name)).toEqual(expect.arrayContaining(['part', 'lot', 'station', 'view', 'attr']));
    expect(inspectParameters.find((p) => p.name === 'attr')).toMatchObject({ style: 'deepObject' });
    expect(doc.paths['/api/v1/inspections'].get.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['part', 'lot', 'station', 'view']));
    for (const path of ['/api/v1/parts/{product}/{part}', '/api/v1/exports/zip', '/api/v1/legal-holds', '/api/v1/products/{product}/views']) expect(doc.paths[path], path).toBeDefined();
  });
});

describe('bad traceability input is refused with a problem that says what was wrong', () => {
  async function refused(params: Record<string, string>, status: number, title: string, product = 'widget') {
    const before = await count();
    const response = await inspect(server, image, { params, product });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as { title: string; detail: string; errors?: { path: string; message: string }[] };
    expect(body.title).toBe(title);
    expect(await count()).toBe(before);
    return body;
  }

  it('a part id that is too long, empty, or has control characters', async () => {
    const long = await refused({ part: 'S'.repeat(65) }, 400, 'The traceability fields are invalid');
    expect(long.errors).toEqual([{ path: 'query.part', message: 'must be at most 64 characters' }]);
    expect((await refused({ part: '   ' }, 400, 'The traceability fields are invalid')).errors?.[0].message).toBe('must not be empty');
    expect((await refused({ lot: 'L1\u0007' }, 400, 'The traceability fields are invalid')).errors?.[0]).toEqual({ path: 'query.lot', message: 'must not contain control characters' });
  });

  it('too many attributes, a bad attribute name, a value too long, an attribute sent twice', async () => {
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`attr[k${i}]`, 'v']));
    expect((await refused(many, 400, 'The traceability fields are invalid')).detail).toContain('at most 16 attributes');
    expect((await refused({ 'attr[no spaces]': 'v' }, 400, 'The traceability fields are invalid')).detail).toContain('must be an attribute name');
    expect((await refused({ 'attr[heat]': 'x'.repeat(129) }, 400, 'The traceability fields are invalid')).errors?.[0]).toEqual({
      path: 'query.attr.heat',
      message: 'must be at most 128 characters',
    });
    const twice = await fetch(`${server.url}/api/v1/inspect?product=widget&attr[heat]=1&attr[heat]=2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.camera}`, 'content-type': 'image/png' },
      body: new Uint8Array(image),
    });
    expect(twice.status).toBe(400);
    expect((await twice.json()).title).toBe('The traceability fields are invalid');
  });

  it('a misspelt field is refused, not dropped', async () => {
    expect((await refused({ serial: 'SN-1' }, 400, 'The request is invalid')).detail).toContain('serial');
  });

  it('views that do not fit the product', async () => {
    expect(
      (await post(server, '/api/v1/products/assembly/views', { views: [{ name: 'top', product: 'widget' }, { name: 'side', product: 'widget-side' }], reason: 'test' })).status,
    ).toBe(200);
    expect((await refused({ part: 'SN-1', view: 'top' }, 422, 'The product declares no views')).detail).toContain('"widget"');
    expect((await refused({ part: 'SN-1', view: 'bottom' }, 422, 'Unknown view', 'assembly')).detail).toContain('top, side');
    await refused({ view: 'top' }, 422, 'A view needs a part id', 'assembly');
    expect((await refused({ part: 'SN-1' }, 422, 'The view is missing', 'assembly')).detail).toContain('top, side');
    await refused({ part: 'SN-1', view: 'To p' }, 400, 'The traceability fields are invalid', 'assembly');
  });
});
