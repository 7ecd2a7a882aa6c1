/** Where `vite build` writes the QA web UI and the server reads it: found alike from src/web (tsx, tests) and dist/web (npm start). */
import { fileURLToPath } from 'node:url';

export const UI_BUILD_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

/** The URL path the UI is served under (Vite's `base`). */
export const UI_BASE = '/ui/';
