/** Sinusoidal embeddings of the diffusion step, as in the Transformer and DDPM. */

/** Rows [sin(t f_0), ..., sin(t f_{d/2-1}), cos(t f_0), ...] with f_i = 10000^(-i / (d/2)). */
export function timeEmbeddings(steps: readonly number[], dim: number): Float32Array {
  const half = dim / 2;
  const out = new Float32Array(steps.length * dim);
  steps.forEach((t, row) => {
    for (let i = 0; i < half; i++) {
      const angle = t * Math.exp((-Math.log(10000) * i) / half);
      out[row * dim + i] = Math.sin(angle);
      out[row * dim + half + i] = Math.cos(angle);
    }
  });
  return out;
}
