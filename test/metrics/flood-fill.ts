/**
 * Reference 8-connected labelling for the metric tests: a plain flood fill from each unlabelled
 * set pixel in raster order, so it numbers components as `connectedComponents` promises to.
 */
export function floodFill(mask: Uint8Array, width: number, height: number): Int32Array {
  const labels = new Int32Array(width * height);
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || labels[start] !== 0) continue;
    labels[start] = ++count;
    const stack = [start];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          const y = py + dy;
          if (x < 0 || y < 0 || x >= width || y >= height) continue;
          const q = y * width + x;
          if (mask[q] !== 0 && labels[q] === 0) {
            labels[q] = count;
            stack.push(q);
          }
        }
      }
    }
  }
  return labels;
}
