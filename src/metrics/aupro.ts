/**
 * AUPRO: the area under the per-region overlap (PRO) curve up to a false-positive rate, as MVTec
 * AD defines it (Bergmann et al., IJCV 2021, and their evaluation code).
 *
 * Ground-truth regions are the 8-connected components of each image's mask. For a threshold t,
 * a pixel is predicted defective when its score >= t;
 *   PRO(t) = mean over all regions of (predicted pixels in the region / region area),
 *   FPR(t) = predicted pixels outside every region / all pixels outside every region,
 * over all images, good ones included. PRO is integrated over FPR from 0 to maxFpr with
 * trapezoids, the curve interpolated linearly at exactly maxFpr, and divided by maxFpr so that a
 * perfect detector scores 1.
 *
 * The curve is exact: every distinct score is a threshold. PRO is a sum of per-pixel weights,
 * 1 / (regions · area of the pixel's region), over the defect pixels scoring >= t, so one
 * descending sweep over the sorted pixels updates it incrementally, as FPR is updated by one
 * normal pixel at a time. Normal and defect pixels are sorted apart (the defect ones carry their
 * region index), with the radix sort, so the whole computation is linear in the pixel count.
 */
import { connectedComponents } from './components.js';
import { sortFloat32 } from './sort.js';

export interface ScoredMask {
  width: number;
  height: number;
  /** Anomaly map, row-major, width * height. */
  scores: Float32Array;
  /** Ground truth, row-major, width * height: nonzero is defect (0/255 masks work as is). */
  mask: Uint8Array;
}

/**
 * AUPRO of `images` up to `maxFpr` (default 0.3, in (0, 1]). NaN when there is no ground-truth
 * region or no normal pixel, where the curve is undefined. Throws on a size mismatch or a NaN
 * score.
 */
export function aupro(images: readonly ScoredMask[], options: { maxFpr?: number } = {}): number {
  const maxFpr = options.maxFpr ?? 0.3;
  if (!(maxFpr > 0 && maxFpr <= 1)) throw new RangeError(`maxFpr must be in (0, 1], got ${maxFpr}`);

  let defectCount = 0;
  let pixelCount = 0;
  for (const [index, { width, height, scores, mask }] of images.entries()) {
    const n = width * height;
    if (scores.length !== n || mask.length !== n) {
      throw new RangeError(`image ${index}: ${width}x${height} with ${scores.length} scores and ${mask.length} mask pixels`);
    }
    pixelCount += n;
    for (let p = 0; p < n; p++) if (mask[p] !== 0) defectCount++;
  }
  const normalCount = pixelCount - defectCount;

  const normals = new Float32Array(normalCount);
  const defects = new Float32Array(defectCount);
  const regionOf = new Uint32Array(defectCount);
  const regionAreas: number[] = [];
  let i = 0;
  let j = 0;
  for (const [index, { width, height, scores, mask }] of images.entries()) {
    const { labels, components } = connectedComponents(mask, width, height);
    const firstRegion = regionAreas.length;
    for (const component of components) regionAreas.push(component.area);
    for (let p = 0; p < labels.length; p++) {
      const score = scores[p];
      if (Number.isNaN(score)) throw new RangeError(`image ${index}: score ${p} is NaN`);
      if (labels[p] === 0) normals[i++] = score;
      else {
        defects[j] = score;
        regionOf[j++] = firstRegion + labels[p] - 1;
      }
    }
  }
  const regions = regionAreas.length;
  if (regions === 0 || normalCount === 0) return NaN;
  const weight = Float64Array.from(regionAreas, (area) => 1 / (regions * area));

  const scratch = { keys: new Uint32Array(Math.max(normalCount, defectCount)), payload: new Uint32Array(defectCount) };
  sortFloat32(normals, undefined, scratch);
  sortFloat32(defects, regionOf, scratch);

  // Descending sweep; each step is one distinct threshold, a trapezoid from the previous point.
  let area = 0;
  let falsePositives = 0;
  let pro = 0;
  let lastFpr = 0;
  let lastPro = 0;
  i = normalCount - 1;
  j = defectCount - 1;
  while (i >= 0 || j >= 0) {
    const threshold = i < 0 || (j >= 0 && defects[j] > normals[i]) ? defects[j] : normals[i];
    while (i >= 0 && normals[i] === threshold) {
      falsePositives++;
      i--;
    }
    while (j >= 0 && defects[j] === threshold) pro += weight[regionOf[j--]];
    const fpr = falsePositives / normalCount;
    if (fpr > maxFpr) {
      const proAtMax = lastPro + ((pro - lastPro) * (maxFpr - lastFpr)) / (fpr - lastFpr);
      area += ((maxFpr - lastFpr) * (lastPro + proAtMax)) / 2;
      return area / maxFpr;
    }
    area += ((fpr - lastFpr) * (lastPro + pro)) / 2;
    lastFpr = fpr;
    lastPro = pro;
  }
  // Only reached with maxFpr = 1: the sweep ended at FPR 1 exactly.
  return area / maxFpr;
}
