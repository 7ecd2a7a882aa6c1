/** Shuffled mini-batches of rows from a matrix of training vectors, epoch after epoch. */
import type { Random } from '../util/random.js';

export interface VectorSet {
  /** Row-major [count, dim]. */
  data: Float32Array;
  count: number;
  dim: number;
  /** What every row is conditioned on (its grid position's embedding), row-major [count, conditionDim]. */
  condition?: { data: Float32Array; dim: number };
}

export class BatchSampler {
  private order: Int32Array;
  private cursor: number;
  epoch = 0;

  constructor(
    private readonly vectors: VectorSet,
    private readonly batch: number,
    private readonly random: Random,
  ) {
    if (vectors.count < batch) throw new Error(`${vectors.count} training vectors are fewer than one batch of ${batch}`);
    this.order = Int32Array.from({ length: vectors.count }, (_, i) => i);
    this.cursor = vectors.count; // forces a shuffle on the first batch
  }

  /** Batches per epoch (the incomplete tail of each epoch is dropped: shapes are static). */
  get batchesPerEpoch(): number {
    return Math.floor(this.vectors.count / this.batch);
  }

  /** Fill `out` ([batch, dim]) with the next batch, and `conditionOut` ([batch, conditionDim]) with its rows' conditions. */
  next(out: Float32Array, conditionOut?: Float32Array): Float32Array {
    const { dim, data, condition } = this.vectors;
    if (this.cursor + this.batch > this.vectors.count) {
      this.random.shuffle(this.order);
      this.cursor = 0;
      this.epoch++;
    }
    for (let i = 0; i < this.batch; i++) {
      const row = this.order[this.cursor + i];
      out.set(data.subarray(row * dim, (row + 1) * dim), i * dim);
      if (condition && conditionOut) conditionOut.set(condition.data.subarray(row * condition.dim, (row + 1) * condition.dim), i * condition.dim);
    }
    this.cursor += this.batch;
    return out;
  }
}
