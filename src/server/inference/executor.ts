/**
 * What runs the models: loads packages under a key, runs batches on them, releases them. The
 * server uses a worker thread (WorkerExecutor) that hosts a ModelHost; ModelHost is also usable
 * in-process (evaluation, `kensa inspect`, and the server's measurement of the alternative).
 */
import type { Batch } from '../../image/batch.js';
import type { Size } from '../../image/resize-policy.js';
import { LoadedModel, type InterpretOptions, type Verdict } from '../../model/loaded-model.js';
import type { SessionConfig } from '../../onnx/session.js';

export interface RunResult {
  /** One per image of the batch, in order. */
  verdicts: Verdict[];
  /** ONNX Runtime's time for the batch alone. */
  runMs: number;
}

export interface InferenceExecutor {
  /** Load the package in `dir` under `key` and run it once, so its first real batch is not slow. */
  load(key: string, dir: string): Promise<void>;
  run(key: string, batch: Batch, originals: readonly Size[], options: InterpretOptions): Promise<RunResult>;
  unload(key: string): Promise<void>;
  close(): Promise<void>;
}

export class ModelHost implements InferenceExecutor {
  private readonly models = new Map<string, LoadedModel>();

  constructor(private readonly session: SessionConfig) {}

  async load(key: string, dir: string): Promise<void> {
    const model = await LoadedModel.load(dir, this.session);
    try {
      await model.warmUp();
    } catch (error) {
      await model.release();
      throw error;
    }
    this.models.set(key, model);
  }

  async run(key: string, batch: Batch, originals: readonly Size[], options: InterpretOptions): Promise<RunResult> {
    const model = this.models.get(key);
    if (!model) throw new Error(`model ${key} is not loaded`);
    const started = performance.now();
    const outputs = await model.run(batch);
    const runMs = performance.now() - started;
    return { verdicts: originals.map((original, i) => model.interpret(outputs, i, original, options)), runMs };
  }

  async unload(key: string): Promise<void> {
    const model = this.models.get(key);
    this.models.delete(key);
    await model?.release();
  }

  async close(): Promise<void> {
    await Promise.all([...this.models.keys()].map((key) => this.unload(key)));
  }
}
