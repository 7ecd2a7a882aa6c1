/**
 * Fourier features of a grid position: the residual energy's networks learn what is normal *where*
 * from them. Coordinates are normalized to [-1, 1] so a model does not depend on the grid's size.
 */

/** Features per position for `frequencies` octaves: sin and cos of each coordinate. */
export const positionEmbeddingDim = (frequencies: number): number => 4 * frequencies;

/** [height * width, 4 * frequencies], row-major in (y, x) order. */
export function positionEmbeddings(height: number, width: number, frequencies: number): Float32Array {
  const dim = positionEmbeddingDim(frequencies);
  const out = new Float32Array(height * width * dim);
  const normalized = (i: number, n: number): number => (n > 1 ? (2 * i) / (n - 1) - 1 : 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const row = (y * width + x) * dim;
      const [u, v] = [normalized(x, width), normalized(y, height)];
      for (let k = 0; k < frequencies; k++) {
        // Octaves from half a period over the grid: the lowest tells left from right without wrapping.
        const scale = (Math.PI / 2) * 2 ** k;
        out[row + 4 * k] = Math.sin(scale * u);
        out[row + 4 * k + 1] = Math.cos(scale * u);
        out[row + 4 * k + 2] = Math.sin(scale * v);
        out[row + 4 * k + 3] = Math.cos(scale * v);
      }
    }
  }
  return out;
}
