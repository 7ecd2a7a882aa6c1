/**
 * Modules that run in another thread or process (worker threads, forked runners): compiled builds
 * start the .js next to the caller, tests and `tsx` scripts the .ts source, through tsx's loader.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** Module `name` in the caller's folder, with the caller's own extension (.ts under tsx/vitest, else .js). */
export function siblingModule(name: string, callerUrl: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}

/**
 * A worker thread running `file`. Node 20 does not hand module loader hooks to worker threads, so
 * a TypeScript worker registers tsx itself before importing its module.
 */
export function startWorker(file: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!file.pathname.endsWith('.ts')) return new Worker(file, options);
  // Resolved here: an eval'd worker resolves bare specifiers from the working directory, not from kensa.
  const tsx = import.meta.resolve('tsx/esm/api');
  const source = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(source, { ...options, eval: true });
}

/** The loader flags a child process needs to run `file` (tsx's for a .ts module). */
export function execArgvFor(file: URL): string[] {
  return file.pathname.endsWith('.ts') ? ['--import', import.meta.resolve('tsx/esm')] : [];
}
