/**
 * Micro-batching: concurrent inspections of the same model and input size share one session.run.
 * A batch runs when it is full, or when its oldest image has waited `maxWaitMs`; one batch runs at
 * a time (the executor uses the cores), and the images that arrive meanwhile form the next ones.
 * So a lone image waits at most `maxWaitMs`, and under load batches fill up by themselves.
 * Images of different sizes (aspect-preserving models) or models (during a hot swap) never mix.
 */
import { packBatch } from '../../image/batch.js';
import type { DecodedImage } from '../../image/decode.js';
import type { Verdict } from '../../model/loaded-model.js';
import type { InferenceExecutor } from './executor.js';

export interface BatchOptions {
  maxBatch: number;
  maxWaitMs: number;
  /** In original-image pixels. */
  minRegionArea: number;
}

export interface BatchOutcome {
  verdict: Verdict;
  /** From submission until its batch started. */
  queueMs: number;
  /** Its batch's round trip: packing, the worker, ONNX Runtime, post-processing. */
  inferenceMs: number;
}

/** What the batcher needs of a model: the executor's key for it. */
export interface BatchModel {
  readonly key: string;
}

export interface BatchReport<M extends BatchModel> {
  model: M;
  size: number;
  /** ONNX Runtime's time for the batch. */
  runMs: number;
}

interface Waiting {
  decoded: DecodedImage;
  enqueued: number;
  resolve(outcome: BatchOutcome): void;
  reject(error: unknown): void;
}

interface Group<M> {
  model: M;
  items: Waiting[];
}

export class MicroBatcher<M extends BatchModel> {
  private readonly groups = new Map<string, Group<M>>();
  private busy = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly executor: InferenceExecutor,
    private readonly options: BatchOptions,
    private readonly onBatch: (report: BatchReport<M>) => void = () => {},
  ) {}

  submit(model: M, decoded: DecodedImage): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      const key = `${model.key}\u0000${decoded.width}x${decoded.height}`;
      let group = this.groups.get(key);
      if (!group) {
        group = { model, items: [] };
        this.groups.set(key, group);
      }
      group.items.push({ decoded, enqueued: performance.now(), resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy) return;
    const now = performance.now();
    let ready: [string, Group<M>] | null = null;
    let nextDeadline = Infinity;
    for (const entry of this.groups) {
      const oldest = entry[1].items[0].enqueued;
      const due = entry[1].items.length >= this.options.maxBatch || now - oldest >= this.options.maxWaitMs;
      // Among groups that may run, the one that has waited longest goes first: none starves.
      if (due && (!ready || oldest < ready[1].items[0].enqueued)) ready = entry;
      if (!due) nextDeadline = Math.min(nextDeadline, oldest + this.options.maxWaitMs);
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!ready) {
      if (nextDeadline < Infinity) this.timer = setTimeout(() => this.pump(), Math.max(0, nextDeadline - now));
      return;
    }
    const [key, group] = ready;
    const items = group.items.splice(0, this.options.maxBatch);
    if (group.items.length === 0) this.groups.delete(key);
    void this.dispatch(group.model, items);
  }

  private async dispatch(model: M, items: Waiting[]): Promise<void> {
    this.busy = true;
    const started = performance.now();
    try {
      const batch = packBatch(items.map((item) => item.decoded));
      const result = await this.executor.run(
        model.key,
        batch,
        items.map((item) => item.decoded.original),
        { minRegionArea: this.options.minRegionArea },
      );
      const inferenceMs = performance.now() - started;
      items.forEach((item, i) => item.resolve({ verdict: result.verdicts[i], queueMs: started - item.enqueued, inferenceMs }));
      this.onBatch({ model, size: items.length, runMs: result.runMs });
    } catch (error) {
      for (const item of items) item.reject(error);
    } finally {
      this.busy = false;
      this.pump();
    }
  }
}
