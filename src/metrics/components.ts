/**
 * Connected components of a binary mask under 8-connectivity: ground-truth defect regions for
 * AUPRO, and the defect regions the server reports for a thresholded anomaly map.
 *
 * Two raster passes over horizontal runs of set pixels, with union-find over provisional labels:
 * the first pass gives each run the label of the runs it touches in the row above (8-connectivity
 * reaches one column past each end) and unites them; the second resolves each label to its set
 * and gathers statistics once per run. Working on runs rather than pixels keeps unions and
 * statistic updates rare; all state lives in typed arrays.
 */

export interface Component {
  /** Bounding box, in pixels: left column, top row, and size. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Pixel count. */
  area: number;
  /** Highest score inside the component (NaN scores ignored); NaN when no score map was given. */
  peak: number;
}

export interface Labeling {
  /**
   * Row-major, one per pixel: 0 is background, k >= 1 is `components[k - 1]`. Components are
   * numbered in raster order of their first pixel, so the numbering is deterministic.
   */
  labels: Int32Array;
  components: Component[];
}

export interface ComponentOptions {
  /** Score map of the same size, for each component's peak. */
  scores?: Float32Array;
  /** Components smaller than this are dropped (their pixels labelled 0) and the rest renumbered. */
  minArea?: number;
}

/** Labels the nonzero pixels of a row-major `width` x `height` mask. */
export function connectedComponents(
  mask: Uint8Array,
  width: number,
  height: number,
  options: ComponentOptions = {},
): Labeling {
  const n = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid size ${width}x${height}`);
  }
  if (mask.length !== n) throw new RangeError(`mask has ${mask.length} pixels, expected ${width}x${height}`);
  const { scores, minArea = 0 } = options;
  if (scores && scores.length !== n) throw new RangeError(`score map has ${scores.length} pixels, expected ${n}`);

  const labels = new Int32Array(n);
  // A run opens a provisional label only when no pixel above it or diagonally above its ends is
  // set, so the first pixels of such runs are pairwise non-adjacent: at most one per 2x2 block.
  const parent = new Int32Array(Math.ceil(width / 2) * Math.ceil(height / 2) + 1);
  let next = 1;

  for (let y = 0; y < height; y++) {
    const row = y * width;
    const above = row - width;
    let x = 0;
    while (x < width) {
      if (mask[row + x] === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && mask[row + x] !== 0) x++;
      // The run [start, x) touches the row above from start - 1 to x (diagonals included). Pixels
      // of one run above share a label already, so only the first pixel of each needs a union.
      let label = 0;
      if (y > 0) {
        const from = start > 0 ? start - 1 : 0;
        const to = x < width ? x : width - 1;
        for (let a = from; a <= to; a++) {
          const up = labels[above + a];
          if (up === 0 || (a > from && labels[above + a - 1] !== 0)) continue;
          if (label === 0) label = up;
          else union(parent, label, up);
        }
      }
      if (label === 0) {
        label = next;
        parent[next] = next;
        next++;
      }
      for (let p = row + start; p < row + x; p++) labels[p] = label;
    }
  }

  // Roots are always the smallest label of their set, so one increasing pass maps every
  // provisional label to a final, consecutive one.
  let count = 0;
  for (let l = 1; l < next; l++) parent[l] = parent[l] === l ? ++count : parent[parent[l]];

  const left = new Int32Array(count + 1).fill(width);
  const top = new Int32Array(count + 1).fill(height);
  const right = new Int32Array(count + 1).fill(-1);
  const bottom = new Int32Array(count + 1).fill(-1);
  const area = new Int32Array(count + 1);
  const peak = new Float32Array(count + 1).fill(scores ? -Infinity : NaN);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let x = 0;
    while (x < width) {
      if (labels[row + x] === 0) {
        x++;
        continue;
      }
      // A horizontal run is one component: statistics are updated once per run, not per pixel.
      const start = x;
      const c = parent[labels[row + x]];
      let runPeak = -Infinity;
      for (; x < width && labels[row + x] !== 0; x++) {
        labels[row + x] = c;
        if (scores && scores[row + x] > runPeak) runPeak = scores[row + x];
      }
      if (start < left[c]) left[c] = start;
      if (x - 1 > right[c]) right[c] = x - 1;
      if (y < top[c]) top[c] = y;
      bottom[c] = y;
      area[c] += x - start;
      if (runPeak > peak[c]) peak[c] = runPeak;
    }
  }

  // Survivors of the area filter keep their relative order, so numbering stays in raster order.
  const renumber = new Int32Array(count + 1);
  const components: Component[] = [];
  for (let c = 1; c <= count; c++) {
    if (area[c] < minArea) continue;
    components.push({ x: left[c], y: top[c], width: right[c] - left[c] + 1, height: bottom[c] - top[c] + 1, area: area[c], peak: peak[c] });
    renumber[c] = components.length;
  }
  if (components.length < count) for (let p = 0; p < n; p++) labels[p] = renumber[labels[p]];
  return { labels, components };
}

function find(parent: Int32Array, label: number): number {
  let root = label;
  while (parent[root] !== root) root = parent[root];
  // Path compression keeps later finds on this chain O(1).
  while (parent[label] !== root) {
    const up = parent[label];
    parent[label] = root;
    label = up;
  }
  return root;
}

/** Merges two sets under the smaller root, which the relabelling pass relies on. */
function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra < rb) parent[rb] = ra;
  else if (rb < ra) parent[ra] = rb;
}
