/**
 * The serving process's garbage-collector setting. Every inspection allocates its upload twice
 * outside the JavaScript heap (the socket's chunks, then the body) and its pixels once more: about
 * 13 MB per request for a 20-megapixel PNG, all of it dead once the answer is sent. V8 counts such
 * memory against the old generation's limit, which it keeps at about 1.8x a live heap of some
 * 30 MB here, so it marked and compacted the whole heap every few inspections, its marking
 * threads taking the cores the decoder and ONNX Runtime were using. Letting the old generation
 * grow to 4x its live size first (V8's own upper bound for the factor) made a 20-megapixel frame's
 * answer 15 ms faster at one camera (73 to 58 ms) and a 5-megapixel one's 1.4 ms, for a larger
 * resident peak between collections (see bench:serve's requestMemory).
 */
import v8 from 'node:v8';

/** The old generation may grow to (1 + percent / 100) times its live size before a full collection. */
export const HEAP_GROWING_PERCENT = 300;

/** Process-wide, so also for anything else in the process (the benchmark's in-process limits run under it alike). */
export function tuneGarbageCollector(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
