/**
 * A model package ready to answer: its ONNX Runtime session and the steps on both sides of it.
 * Shared by the server (whose inference worker owns these), `kensa inspect` and evaluation, so a
 * verdict means the same thing everywhere:
 * - decide: the image score normalized with the image calibration; NG at 0.5 and above;
 * - localize: pixels at or above the pixel threshold, grouped into 8-connected regions, reported
 *   in the original image's pixels (the map is at the model input's resolution);
 * - the map itself, normalized with the pixel calibration to bytes (128 is the pixel threshold):
 *   a quarter of float32's size, and all a heatmap needs.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { packBatch, type Batch } from '../image/batch.js';
import { decodeImage, type DecodedImage, type DecodeOptions } from '../image/decode.js';
import { targetSize, type Size } from '../image/resize-policy.js';
import { connectedComponents } from '../metrics/components.js';
import { createSession, wrapFloat, type SessionConfig } from '../onnx/session.js';
import { normalizeScore, type Manifest } from './manifest.js';
import { readModelPackage, type ModelPackage } from './model-package.js';

export type Decision = 'OK' | 'NG';

/** A defect region, in pixels of the original (EXIF-oriented) image. */
export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Pixels above the pixel threshold, scaled to the original image. */
  area: number;
  /** Highest pixel score inside, normalized like `score` (0.5 is the pixel threshold). */
  peak: number;
}

/** The anomaly map as bytes: round(255 * normalized pixel score), row-major. */
export interface NormalizedMap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Map bytes at or above this level are above the pixel threshold. */
export const MASK_LEVEL = 128;

export interface Verdict {
  decision: Decision;
  /** 0..1; 0.5 is the image threshold. */
  score: number;
  /** The model's raw energy. */
  rawScore: number;
  /** The raw image threshold from the manifest's calibration. */
  threshold: number;
  regions: Region[];
  map: NormalizedMap;
}

/** Raw outputs of one batch: `count` scores and `count` maps of mapWidth x mapHeight. */
export interface ModelOutputs {
  count: number;
  scores: Float32Array;
  maps: Float32Array;
  mapWidth: number;
  mapHeight: number;
}

export interface InterpretOptions {
  /** Regions smaller than this many original-image pixels are dropped; default 1. */
  minRegionArea?: number;
}

export class LoadedModel {
  private constructor(
    readonly pkg: ModelPackage,
    private readonly session: InferenceSession,
  ) {}

  static async load(pkg: ModelPackage | string, session: SessionConfig = {}): Promise<LoadedModel> {
    const loaded = typeof pkg === 'string' ? await readModelPackage(pkg) : pkg;
    return new LoadedModel(loaded, await createSession(loaded.modelPath, session));
  }

  get manifest(): Manifest {
    return this.pkg.manifest;
  }

  /** Camera bytes to this model's input (planar RGB float32, resized as the manifest says). */
  decode(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedImage> {
    return decodeImage(bytes, this.manifest.input, options);
  }

  async run(batch: Batch): Promise<ModelOutputs> {
    const result = await this.session.run({ image: wrapFloat(batch.data, batch.dims) });
    const map = result.anomaly_map;
    const score = result.score;
    if (!map || !score) throw new Error(`${this.pkg.modelPath} must output "anomaly_map" and "score"`);
    const [count, channels, mapHeight, mapWidth] = map.dims;
    if (map.dims.length !== 4 || channels !== 1 || count !== batch.dims[0] || score.dims[0] !== count) {
      throw new Error(`${this.pkg.modelPath}: anomaly_map is [${map.dims.join(', ')}] and score [${score.dims.join(', ')}] for a batch of ${batch.dims[0]}`);
    }
    return { count, scores: score.data as Float32Array, maps: map.data as Float32Array, mapWidth, mapHeight };
  }

  /** The verdict on image `index` of a batch, whose original size was `original`. */
  interpret(outputs: ModelOutputs, index: number, original: Size, options: InterpretOptions = {}): Verdict {
    const { image, pixel } = this.manifest.calibration;
    const { mapWidth, mapHeight } = outputs;
    const plane = mapWidth * mapHeight;
    const raw = outputs.maps.subarray(index * plane, (index + 1) * plane);

    const bytes = new Uint8Array(plane);
    const mask = new Uint8Array(plane);
    for (let p = 0; p < plane; p++) {
      bytes[p] = Math.round(255 * normalizeScore(raw[p], pixel));
      mask[p] = raw[p] >= pixel.threshold ? 1 : 0;
    }

    const scaleX = original.width / mapWidth;
    const scaleY = original.height / mapHeight;
    const minArea = Math.max(1, Math.ceil((options.minRegionArea ?? 1) / (scaleX * scaleY)));
    const { components } = connectedComponents(mask, mapWidth, mapHeight, { scores: raw, minArea });
    const regions = components.map((c): Region => {
      const x = Math.floor(c.x * scaleX);
      const y = Math.floor(c.y * scaleY);
      return {
        x,
        y,
        width: Math.min(original.width, Math.ceil((c.x + c.width) * scaleX)) - x,
        height: Math.min(original.height, Math.ceil((c.y + c.height) * scaleY)) - y,
        area: Math.round(c.area * scaleX * scaleY),
        peak: normalizeScore(c.peak, pixel),
      };
    });

    const rawScore = outputs.scores[index];
    const score = normalizeScore(rawScore, image);
    return {
      decision: score >= 0.5 ? 'NG' : 'OK',
      score,
      rawScore,
      threshold: image.threshold,
      regions,
      map: { width: mapWidth, height: mapHeight, data: bytes },
    };
  }

  /** Decode, run and interpret one image. */
  async inspect(bytes: Uint8Array, options: DecodeOptions & InterpretOptions = {}): Promise<Verdict> {
    const decoded = await this.decode(bytes, options);
    const outputs = await this.run(packBatch([decoded]));
    return this.interpret(outputs, 0, decoded.original, options);
  }

  /** One run at the nominal input size, so the first camera image does not pay for ORT's setup. */
  async warmUp(): Promise<void> {
    const { size } = this.manifest.input;
    const { width, height } = targetSize({ width: size, height: size }, this.manifest.input);
    await this.run({ data: new Float32Array(3 * width * height).fill(0.5), dims: [1, 3, height, width] });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
