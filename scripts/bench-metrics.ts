/**
 * Metric timings on synthetic data of realistic sizes (a script, not a test: `npm run
 * bench:metrics`). Prints one line per figure, then one JSON line.
 *   pixel AUROC: 30M pixels (3% defective), Float32Array scores and Uint8Array labels;
 *   AUPRO: 500 images of 224x224, half of them with elliptical defects of varied sizes;
 *   components: a 1024x1024 thresholded anomaly map with 40 blobs, with peaks and a 10 px minimum area.
 */
import { aupro, type ScoredMask } from '../src/metrics/aupro.js';
import { connectedComponents } from '../src/metrics/components.js';
import { auroc } from '../src/metrics/roc.js';
import { thresholdMap } from '../src/metrics/threshold.js';
import { Random } from '../src/util/random.js';

const random = new Random(2024);

/** Median wall time of `runs` runs, in ms: the machine is shared, so single runs are noisy. */
function time(runs: number, work: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[runs >> 1];
}

/** Adds ellipses to `scores` (and sets them in `mask`, when given). */
function blobs(width: number, height: number, count: number, maxRadius: number, scores: Float32Array, mask?: Uint8Array): void {
  for (let b = 0; b < count; b++) {
    const cx = random.uniform() * width;
    const cy = random.uniform() * height;
    const rx = 1 + random.uniform() * maxRadius;
    const ry = 1 + random.uniform() * maxRadius;
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(height, cy + ry); y++) {
      for (let x = Math.max(0, Math.floor(cx - rx)); x < Math.min(width, cx + rx); x++) {
        const d = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
        if (d >= 1) continue;
        scores[y * width + x] += 1 - d;
        if (mask) mask[y * width + x] = 1;
      }
    }
  }
}

const pixels = 30_000_000;
const pixelScores = new Float32Array(pixels);
const pixelLabels = new Uint8Array(pixels);
for (let i = 0; i < pixels; i++) {
  pixelLabels[i] = random.uniform() < 0.03 ? 1 : 0;
  pixelScores[i] = random.uniform() + 0.5 * pixelLabels[i];
}
let pixelAuroc = NaN;
const pixelAurocMs = time(3, () => (pixelAuroc = auroc(pixelScores, pixelLabels)));
console.log(`pixel AUROC, ${pixels / 1e6}M pixels: ${pixelAurocMs.toFixed(0)} ms (AUROC ${pixelAuroc.toFixed(4)})`);

const side = 224;
const images: ScoredMask[] = [];
for (let k = 0; k < 500; k++) {
  const scores = random.fillUniform(new Float32Array(side * side), 0, 0.6);
  const mask = new Uint8Array(side * side);
  if (k % 2 === 1) blobs(side, side, 1 + random.int(3), 40, scores, mask);
  images.push({ width: side, height: side, scores, mask });
}
let auproValue = NaN;
const auproMs = time(3, () => (auproValue = aupro(images)));
console.log(`AUPRO, 500 images of ${side}x${side}: ${auproMs.toFixed(0)} ms (AUPRO ${auproValue.toFixed(4)})`);

const size = 1024;
const map = random.fillUniform(new Float32Array(size * size), 0, 0.3);
blobs(size, size, 40, 60, map);
const mask = thresholdMap(map, 0.5);
let regions = 0;
const componentsMs = time(50, () => (regions = connectedComponents(mask, size, size, { scores: map, minArea: 10 }).components.length));
const thresholdMs = time(50, () => thresholdMap(map, 0.5, mask));
console.log(`components, ${size}x${size}: ${componentsMs.toFixed(2)} ms (${regions} regions); threshold: ${thresholdMs.toFixed(2)} ms`);

console.log(JSON.stringify({ pixelAurocMs, auproMs, componentsMs, thresholdMs }));
