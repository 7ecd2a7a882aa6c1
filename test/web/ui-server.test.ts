/** Serving the built UI: caching of hashed assets, the page for the UI's own routes, no HTML for missing files. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiRouter } from '../../src/web/ui-server.js';

const INDEX = '<!doctype html><title>kensa QA</title><script type="module" src="/ui/assets/index-abc123.js"></script>';

interface Site {
  url: string;
  close(): Promise<void>;
}

async function serve(dir: string): Promise<Site> {
  const app = express();
  app.use(uiRouter(dir));
  app.use((_req, res) => res.status(404).send('not here'));
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let root: string;
let site: Site;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kensa-ui-'));
  const built = path.join(root, 'built');
  await mkdir(path.join(built, 'assets'), { recursive: true });
  await writeFile(path.join(built, 'index.html'), INDEX);
  await writeFile(path.join(built, 'assets', 'index-abc123.js'), 'console.log("kensa")');
  site = await serve(built);
});
afterAll(async () => {
  await site?.close();
  await rm(root, { recursive: true, force: true });
});

const fetchManual = (url: string) => fetch(url, { redirect: 'manual' });

describe('the built UI', () => {
  it('caches content-hashed assets for a year', async () => {
    const response = await fetch(`${site.url}/ui/assets/index-abc123.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers every UI route with the page, revalidated on each load and locked to this origin', async () => {
    for (const route of ['/ui/', '/ui/inspections', '/ui/inspections/01ARZ3NDEKTSV4RRFFQ69G5FAV?decision=NG', '/ui/dashboard', '/ui/models']) {
      const response = await fetch(`${site.url}${route}`);
      expect(response.status, route).toBe(200);
      expect(await response.text()).toBe(INDEX);
      expect(response.headers.get('cache-control'), route).toBe('no-cache');
      expect(response.headers.get('content-security-policy'), route).toContain("default-src 'self'");
    }
  });

  it('sends 404, not the page, for a file that is not there', async () => {
    const response = await fetch(`${site.url}/ui/assets/index-old999.js`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not here');
  });

  it('redirects / and /ui to /ui/', async () => {
    for (const route of ['/', '/ui']) {
      const response = await fetchManual(`${site.url}${route}`);
      expect(response.status, route).toBeGreaterThanOrEqual(301);
      expect(response.status, route).toBeLessThanOrEqual(302);
      expect(response.headers.get('location'), route).toBe('/ui/');
    }
  });

  it('leaves other paths to the API', async () => {
    expect((await fetch(`${site.url}/api/v1/inspections`)).status).toBe(404);
    expect((await fetch(`${site.url}/uix`)).status).toBe(404);
  });
});

describe('without a build', () => {
  it('says that the UI is not built', async () => {
    const missing = await serve(path.join(root, 'nothing-here'));
    try {
      const response = await fetch(`${missing.url}/ui/inspections`);
      expect(response.status).toBe(503);
    } finally {
      await missing.close();
    }
  });
});
