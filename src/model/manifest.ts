/**
 * manifest.json of a model package (models/<product>/<version>/): everything a server, an
 * evaluator or a person needs to know about model.onnx besides its weights.
 *
 * model.onnx: input "image" float32 [N, 3, H, W], RGB in [0, 1], already resized as `input`
 * says; outputs "anomaly_map" float32 [N, 1, H, W] and "score" float32 [N], both raw energies.
 */
import { z } from 'zod';
import { LineReferenceSchema } from '../health/reference.js';

export const MANIFEST_FORMAT = 'kensa-model/1';

/**
 * dxmi: DxMI with the preset's energy (residual by default); dxmi-spherical: DxMI with the paper's
 * spherical autoencoder energy; ae: that autoencoder before DxMI; gaussian, knn: baselines.
 */
export const METHODS = ['dxmi', 'dxmi-spherical', 'ae', 'gaussian', 'knn'] as const;
export type Method = (typeof METHODS)[number];

/**
 * How a camera image becomes the model's input:
 * - fill: squash to width x height (aligned parts);
 * - fit-short-side: scale so the short side is `size`, keep the aspect ratio (textures keep their
 *   scale), then round each side to a multiple of the backbone stride.
 */
export const ResizePolicySchema = z.enum(['fill', 'fit-short-side']);
export type ResizePolicy = z.infer<typeof ResizePolicySchema>;

export const InputSpecSchema = z.object({
  policy: ResizePolicySchema,
  /** Side length for `fill` (its width, when `height` is given) or the short side for `fit-short-side`. */
  size: z.number().int().positive(),
  /** `fill` only: the height of a frame that is not square (default `size`). */
  height: z.number().int().positive().optional(),
  /** Longest side allowed for aspect-preserving policies (bounds latency and memory). */
  maxSize: z.number().int().positive().optional(),
  /** Sides are rounded to a multiple of this (the backbone's largest stride). */
  multiple: z.number().int().positive(),
});
export type InputSpec = z.infer<typeof InputSpecSchema>;

/**
 * A raw threshold and the center it is measured from: normalized = 0.5 * (raw - center) /
 * (threshold - center), clamped to [0, 1], so 0.5 is the threshold for every model.
 */
export const ThresholdSchema = z.object({
  threshold: z.number(),
  center: z.number(),
});
export type Threshold = z.infer<typeof ThresholdSchema>;

export const CalibrationSchema = z.object({
  image: ThresholdSchema,
  pixel: ThresholdSchema,
  /** The rule that chose the thresholds, in words, e.g. "99.5th percentile of held-out good parts". */
  rule: z.string(),
  /** Expected share of good parts called NG at the image threshold. */
  expectedFalseCallRate: z.number().min(0).max(1),
  /** Held-out good images the calibration used. */
  images: z.number().int().nonnegative(),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

/** Tiles of the backbone pass, in model-input pixels: `size` with a halo of `overlap` on each side (src/features/tiling.ts). */
export const TileGridSchema = z.object({
  size: z.number().int().positive(),
  overlap: z.number().int().nonnegative(),
});

export const BackboneInfoSchema = z.object({
  name: z.string(),
  layers: z.array(z.string()),
  /** Stride of the feature grid the anomaly map is computed on. */
  stride: z.number().int().positive(),
  channels: z.number().int().positive(),
  /** Present when tiling was asked for: the grid the backbone runs on (null: the whole frame) and why. Absent: the whole frame. */
  tiling: z.object({ grid: TileGridSchema.nullable(), reason: z.string() }).optional(),
});

export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  product: z.string(),
  version: z.string(),
  createdAt: z.string(),
  method: z.enum(METHODS),
  backbone: BackboneInfoSchema,
  input: InputSpecSchema,
  calibration: CalibrationSchema,
  /** Score and image-quality quantiles of the calibration images, for drift watch (absent in older packages). */
  reference: LineReferenceSchema.optional(),
  training: z.object({
    images: z.number().int().nonnegative(),
    /** sha256 over the sorted content hashes of the training images. */
    digest: z.string(),
    seconds: z.number().nonnegative(),
    device: z.string(),
    config: z.record(z.string(), z.unknown()),
  }),
  /** Metrics on the validation split (image/pixel AUROC where defects were available, ...). */
  metrics: z.record(z.string(), z.number()),
  timings: z.record(z.string(), z.number()),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Map a raw energy to the comparable 0..1 scale where 0.5 is the threshold. */
export function normalizeScore(raw: number, t: Threshold): number {
  const span = t.threshold - t.center;
  const value = span > 0 ? (0.5 * (raw - t.center)) / span : raw >= t.threshold ? 1 : 0;
  return Math.min(1, Math.max(0, value));
}
