/** Builds the QA web UI (src/web/client) into dist/ui, served by the inspection server under /ui/. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { UI_BASE, UI_BUILD_DIR } from './ui-build-dir.js';

export default defineConfig({
  root: fileURLToPath(new URL('./client/', import.meta.url)),
  base: UI_BASE,
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: UI_BUILD_DIR,
    emptyOutDir: true,
    // the line PCs run a current Chromium or Firefox; no legacy transforms
    target: 'es2022',
    // the polyfill would be an inline script, which the Content-Security-Policy forbids
    modulePreload: { polyfill: false },
  },
});
