/**
 * The server side of the inference worker: requests become messages, replies settle promises.
 * If the worker dies (out of memory, a bug), the batches it held fail, a new worker is started
 * and every loaded model is loaded into it again before the next batch is sent.
 */
import type { Worker } from 'node:worker_threads';
import type { Batch } from '../../image/batch.js';
import type { Size } from '../../image/resize-policy.js';
import type { InterpretOptions } from '../../model/loaded-model.js';
import type { SessionConfig } from '../../onnx/session.js';
import { siblingModule, startWorker } from '../../util/worker-module.js';
import type { InferenceExecutor, RunResult } from './executor.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './protocol.js';

// Distributive, so each request variant keeps its own fields.
type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class WorkerExecutor implements InferenceExecutor {
  private worker!: Worker;
  private readonly pending = new Map<number, Pending>();
  /** Loaded models by key, to load again into a replacement worker. */
  private readonly loaded = new Map<string, string>();
  private nextId = 1;
  private closing = false;
  /** Set while a replacement worker is getting its models back. */
  private restoring: Promise<void> | null = null;
  /** Wait before the next replacement worker; 0 after a worker has replied. */
  private restartDelayMs = 0;

  constructor(
    private readonly session: SessionConfig,
    private readonly onRestart: (reason: Error) => void,
  ) {
    this.spawn();
  }

  async load(key: string, dir: string): Promise<void> {
    await this.call({ type: 'load', key, dir });
    this.loaded.set(key, dir);
  }

  run(key: string, batch: Batch, originals: readonly Size[], options: InterpretOptions): Promise<RunResult> {
    return this.call({ type: 'run', key, batch, originals: [...originals], options }, [batch.data.buffer as ArrayBuffer]) as Promise<RunResult>;
  }

  async unload(key: string): Promise<void> {
    this.loaded.delete(key);
    await this.call({ type: 'unload', key });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
    for (const pending of this.pending.values()) pending.reject(new Error('the inference worker was closed'));
    this.pending.clear();
  }

  private async call(request: Request, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.restoring) await this.restoring;
    return this.post(request, transfer);
  }

  private post(request: Request, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.closing) return Promise.reject(new Error('the inference worker is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } as WorkerRequest, transfer);
    });
  }

  private spawn(): void {
    const worker = startWorker(siblingModule('inference-worker', import.meta.url), { workerData: { session: this.session } satisfies WorkerData });
    this.worker = worker;
    worker.on('message', (reply: WorkerReply) => {
      const pending = this.pending.get(reply.id);
      if (!pending) return;
      this.pending.delete(reply.id);
      this.restartDelayMs = 0;
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(new Error(reply.message));
    });
    worker.on('error', (error) => this.replace(worker, error));
    worker.on('exit', (code) => this.replace(worker, new Error(`the inference worker exited with code ${code}`)));
  }

  private replace(worker: Worker, reason: Error): void {
    if (this.closing || worker !== this.worker) return;
    for (const pending of this.pending.values()) pending.reject(new Error(`inference failed: ${reason.message}`));
    this.pending.clear();
    this.onRestart(reason);
    // A worker that dies again right away (a broken install, a model that crashes it) must not
    // restart in a hot loop: back off, doubling up to 30 s, until a worker replies again.
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(30_000, Math.max(100, delay * 2));
    const restoring: Promise<void> = new Promise<void>((resolve) => setTimeout(resolve, delay))
      .then(async () => {
        if (this.closing) return;
        this.spawn();
        await Promise.all([...this.loaded].map(([key, dir]) => this.post({ type: 'load', key, dir })));
      })
      .then(
        () => undefined,
        (error: unknown) => this.onRestart(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        if (this.restoring === restoring) this.restoring = null;
      });
    this.restoring = restoring;
  }
}
