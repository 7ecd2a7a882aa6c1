/**
 * Serves the built QA web UI under /ui/: content-hashed assets are cached for a year, index.html
 * is revalidated on every load (so a new build is picked up at once), and any other /ui/ path
 * without a file extension gets index.html, so the UI's own routes survive a reload or a shared
 * link. `/` redirects to the UI. Nothing here is fetched from elsewhere: the policy forbids it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import { HttpProblem } from '../server/problem.js';
import { UI_BASE, UI_BUILD_DIR } from './ui-build-dir.js';

/** Vite puts every content-hashed file here. */
const HASHED_ASSETS = `${path.sep}assets${path.sep}`;

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // pictures arrive with the API key in a header, so the UI shows them as blob: URLs
  "img-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
};

export function uiRouter(dir: string = UI_BUILD_DIR): Router {
  const index = path.join(dir, 'index.html');
  const router = express.Router({ strict: true });
  router.get('/', (_req, res) => res.redirect(302, UI_BASE));
  router.get(UI_BASE.slice(0, -1), (_req, res) => res.redirect(301, UI_BASE));
  router.use(
    UI_BASE,
    securityHeaders,
    express.static(dir, {
      index: false,
      redirect: false,
      setHeaders(res, file) {
        res.setHeader('Cache-Control', file.includes(HASHED_ASSETS) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  router.get(`${UI_BASE}{*route}`, (req, res, next) => {
    // A missing file (an old asset name) is a 404, not the page: a script must never receive HTML.
    if (path.posix.extname(req.path) !== '') return next();
    if (!existsSync(index)) {
      throw new HttpProblem(503, 'ui-not-built', 'The web UI is not built', `There is no ${index}; run "npm run build" to build the QA web UI.`);
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
