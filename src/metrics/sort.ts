/**
 * Ascending LSD radix sort of float32 values, optionally carrying a uint32 payload along.
 *
 * Pixel metrics sort tens of millions of float32 scores. Comparison sorts are O(n log n) and, in
 * V8, several times slower than three linear passes over typed arrays, so this is the one sort
 * those metrics share. It is exact: float32 bit patterns are mapped to uint32 keys whose unsigned
 * order is the numeric order, and sorting the keys sorts the numbers.
 */

const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT_MASK = BUCKETS - 1;
/** 11 + 11 + 10 bits: three scatter passes cover a 32-bit key. */
const PASSES = 3;

/**
 * Sorts `values` ascending in place. When `payload` is given (same length), it is permuted
 * together with the values, as an index or a label would be. `scratch` (at least as long as
 * `values`, and as `payload` for its own scratch) lets a caller reuse one buffer across sorts.
 *
 * NaN has no place in a numeric order, so callers must reject it first. -0 sorts just before +0,
 * next to it, so runs of equal values stay contiguous.
 */
export function sortFloat32(
  values: Float32Array,
  payload?: Uint32Array,
  scratch?: { keys?: Uint32Array; payload?: Uint32Array },
): Float32Array {
  const n = values.length;
  if (payload && payload.length !== n) throw new RangeError(`payload has ${payload.length} entries for ${n} values`);
  if (n < 2) return values;
  // Checked before anything is written, so a bad call leaves `values` as it was.
  let targetKeys = scratch?.keys ? scratch.keys.subarray(0, n) : new Uint32Array(n);
  let targetPayload = payload ? (scratch?.payload ? scratch.payload.subarray(0, n) : new Uint32Array(n)) : undefined;
  if (targetKeys.length < n || (targetPayload && targetPayload.length < n)) throw new RangeError('scratch buffer is too small');
  // The values' own memory holds the keys: the sort needs one scratch buffer of the same size, not two.
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  const histograms = new Uint32Array(BUCKETS * PASSES);
  for (let i = 0; i < n; i++) {
    const bits = keys[i];
    // Negative floats order backwards by magnitude, so all their bits flip; positive ones only
    // need the sign bit set to land above every negative.
    const key = (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
    keys[i] = key;
    histograms[key & DIGIT_MASK]++;
    histograms[BUCKETS + ((key >>> DIGIT_BITS) & DIGIT_MASK)]++;
    histograms[2 * BUCKETS + (key >>> (2 * DIGIT_BITS))]++;
  }

  let sourceKeys = keys;
  let sourcePayload = payload;

  for (let pass = 0; pass < PASSES; pass++) {
    const base = pass * BUCKETS;
    const shift = pass * DIGIT_BITS;
    // Scores often share their top bits (all in [0, 1], say): a digit every key has in common
    // leaves the order unchanged, so its pass is skipped.
    if (histograms[base + ((sourceKeys[0] >>> shift) & DIGIT_MASK)] === n) continue;
    const offsets = new Uint32Array(BUCKETS);
    for (let b = 0, sum = 0; b < BUCKETS; b++) {
      offsets[b] = sum;
      sum += histograms[base + b];
    }
    if (sourcePayload && targetPayload) {
      for (let i = 0; i < n; i++) {
        const key = sourceKeys[i];
        const at = offsets[(key >>> shift) & DIGIT_MASK]++;
        targetKeys[at] = key;
        targetPayload[at] = sourcePayload[i];
      }
      [sourcePayload, targetPayload] = [targetPayload, sourcePayload];
    } else {
      for (let i = 0; i < n; i++) {
        const key = sourceKeys[i];
        targetKeys[offsets[(key >>> shift) & DIGIT_MASK]++] = key;
      }
    }
    [sourceKeys, targetKeys] = [targetKeys, sourceKeys];
  }

  for (let i = 0; i < n; i++) {
    const key = sourceKeys[i];
    keys[i] = key & 0x80000000 ? key & 0x7fffffff : ~key >>> 0;
  }
  if (payload && sourcePayload !== payload) payload.set(sourcePayload!);
  return values;
}
