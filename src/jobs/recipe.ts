/**
 * A training job's recipe: everything `prepareTraining` and `packageMethod` need besides the
 * images. A product is retrained the way its active version was trained (read back from that
 * version's manifest), so a new good set changes the data and nothing else; a product without a
 * kensa-trained version gets the defaults. The active version's region of interest is kept: the
 * recipe points at the mask in its package. A request may change a few knobs on top. The resolved
 * recipe is stored with the job, so what a job did can always be read back.
 */
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_BACKBONE } from '../backbones/index.js';
import { DxmiConfigSchema, PRESETS, resolveConfig } from '../dxmi/config.js';
import { DEFAULT_GAUSSIAN } from '../methods/gaussian.js';
import { DEFAULT_KNN } from '../methods/knn.js';
import { InputSpecSchema, METHODS, TileGridSchema, type Manifest } from '../model/manifest.js';
import { RoiRecordSchema } from '../model/roi.js';
import type { SessionConfig } from '../onnx/session.js';
import type { MethodSettings } from '../training/fit-method.js';
import type { TrainingConfig } from '../training/train-product.js';

const FeaturesSchema = z.object({
  backbone: z.string().min(1),
  layers: z.array(z.string()).optional(),
  stride: z.number().int().positive(),
  smoothing: z.number().int().positive(),
  /** Tiles of the backbone pass, or 'auto' to decide from the training images; absent: the whole frame. */
  tile: z.union([z.literal('auto'), TileGridSchema]).optional(),
  /** A coarse pass over the frame shrunk by this factor, fused with the fine one; absent: one pass. */
  coarseScale: z.number().gt(0).lt(1).optional(),
});

export const TrainingRecipeSchema = z.object({
  /** Where the recipe came from: "<product>/<version>" or "defaults". */
  basedOn: z.string(),
  method: z.enum(METHODS),
  features: FeaturesSchema,
  input: InputSpecSchema,
  mapSmoothing: z.number().int().positive(),
  /** Grid cells averaged into the image score, or 'auto': chosen on held-out images with implanted defects. */
  scoreTopK: z.union([z.literal('auto'), z.number().int().positive()]),
  /** Mask image of the region of interest; absent: the whole frame. */
  roi: z.string().min(1).optional(),
  validationFraction: z.number().gt(0).lt(1),
  falseCallRate: z.number().gt(0).lt(1),
  seed: z.number().int(),
  /** Kept loose here and checked by the trainer's own schema when the job runs. */
  dxmi: z.record(z.string(), z.unknown()),
  gaussian: z.object({ dims: z.number().int().nonnegative(), perPosition: z.boolean() }),
  knn: z.object({ coresetRatio: z.number().positive(), maxBank: z.number().int().positive(), maxCandidates: z.number().int().positive(), projection: z.number().int().positive() }),
});
export type TrainingRecipe = z.infer<typeof TrainingRecipeSchema>;

/** What a request may change. */
export const RecipeOverridesSchema = z.object({
  method: z.enum(METHODS).optional().describe('anomaly method (default: the active version\'s, else dxmi)'),
  inputSize: z.coerce.number().int().min(32).max(1024).optional().describe('model input side (fill) or short side, in pixels'),
  validationFraction: z.coerce.number().gt(0).lt(1).optional().describe('share of the good images held out for calibration and evaluation'),
  falseCallRate: z.coerce.number().gt(0).lt(1).optional().describe('target share of good parts called NG'),
  seed: z.coerce.number().int().min(0).optional(),
  dxmiPreset: z.enum(Object.keys(PRESETS) as [keyof typeof PRESETS]).optional().describe('DxMI sizes: fast (CPU, minutes) or paper'),
});
export type RecipeOverrides = z.infer<typeof RecipeOverridesSchema>;

/**
 * A product with no kensa-trained version (and the demo, with a smaller DxMI): the `fast` DxMI
 * preset on MobileNetV2 features at stride 8, two scales: the frame at 320 px and a coarse pass at
 * 0.7 of it (224 px). Measured on MTD (`kensa eval`, image / pixel AUROC / AUPRO, seeds 0 / 1):
 * dxmi 0.954 / 0.750 / 0.730 and 0.950 / 0.750 / 0.731, gaussian 0.950 / 0.734 / 0.727 and
 * 0.950 / 0.735 / 0.725, against 0.938 / 0.737 / 0.714 and 0.923 / 0.742 / 0.716 (dxmi) at 224
 * px alone; cracks show at 320, uneven surfaces at 224 (README, Scales).
 */
export const DEFAULT_RECIPE: TrainingRecipe = {
  basedOn: 'defaults',
  method: 'dxmi',
  features: { backbone: DEFAULT_BACKBONE, stride: 8, smoothing: 1, coarseScale: 0.7 },
  input: { policy: 'fill', size: 320, multiple: 16 },
  // Measured on MTD (gaussian, fill 224): a 3 x 3 average of the energy grid costs 0.005 image AUROC.
  mapSmoothing: 1,
  scoreTopK: 'auto',
  validationFraction: 0.1,
  falseCallRate: 0.01,
  seed: 0,
  dxmi: resolveConfig('fast'),
  gaussian: DEFAULT_GAUSSIAN,
  knn: DEFAULT_KNN,
};

/** What kensa's training pipeline records in manifest.training.config besides the method's own settings. */
const RecordedTrainingSchema = z.object({
  features: FeaturesSchema,
  mapSmoothing: z.number().int().positive(),
  // Versions trained before it existed scored the grid's maximum.
  scoreTopK: z.number().int().positive().default(1),
  /** Present when k was chosen automatically: a retrain chooses again on its own images. */
  scoreTopKChoice: z.object({ k: z.number().int().positive() }).optional(),
  roi: RoiRecordSchema.optional(),
  seed: z.number().int(),
  validationFraction: z.number().gt(0).lt(1),
});

/** The recipe the version in `dir` was trained with, or null when its manifest does not record one (a package from elsewhere). */
export function recipeOf({ manifest, dir }: { manifest: Manifest; dir: string }): TrainingRecipe | null {
  const config = manifest.training.config;
  const recorded = RecordedTrainingSchema.safeParse(config);
  if (!recorded.success) return null;
  const { roi, scoreTopKChoice, ...settings } = recorded.data;
  const recipe: TrainingRecipe = {
    ...DEFAULT_RECIPE,
    ...settings,
    scoreTopK: scoreTopKChoice ? 'auto' : settings.scoreTopK,
    ...(roi ? { roi: path.resolve(dir, roi.file) } : {}),
    basedOn: `${manifest.product}/${manifest.version}`,
    method: manifest.method,
    input: manifest.input,
    falseCallRate: manifest.calibration.expectedFalseCallRate,
  };
  // The method's settings are recorded beside the rest; one that no longer parses falls back to the default.
  const dxmi = DxmiConfigSchema.safeParse(config);
  if (dxmi.success) recipe.dxmi = dxmi.data;
  const gaussian = TrainingRecipeSchema.shape.gaussian.safeParse(config);
  if (gaussian.success && manifest.method === 'gaussian') recipe.gaussian = gaussian.data;
  const knn = TrainingRecipeSchema.shape.knn.safeParse(config);
  if (knn.success && manifest.method === 'knn') recipe.knn = knn.data;
  return recipe;
}

export function withOverrides(recipe: TrainingRecipe, overrides: RecipeOverrides): TrainingRecipe {
  const seed = overrides.seed ?? recipe.seed;
  return {
    ...recipe,
    method: overrides.method ?? recipe.method,
    // A new size is a square (or short side) again: a frame-shaped fill's height belonged to the old one.
    input: overrides.inputSize === undefined ? recipe.input : { ...recipe.input, size: overrides.inputSize, height: undefined },
    validationFraction: overrides.validationFraction ?? recipe.validationFraction,
    falseCallRate: overrides.falseCallRate ?? recipe.falseCallRate,
    seed,
    dxmi: overrides.dxmiPreset ? resolveConfig(overrides.dxmiPreset, { seed }) : { ...recipe.dxmi, seed },
  };
}

/** The pipeline's configuration for training on the images in `data`. */
export function trainingConfig(recipe: TrainingRecipe, data: string, modelsDir: string, session: SessionConfig): TrainingConfig {
  const dxmi = DxmiConfigSchema.safeParse(recipe.dxmi);
  if (!dxmi.success) throw new Error(`the recipe's DxMI settings are invalid: ${z.prettifyError(dxmi.error)}`);
  const settings: MethodSettings = { dxmi: dxmi.data, gaussian: recipe.gaussian, knn: recipe.knn };
  return {
    data,
    modelsDir,
    settings,
    features: recipe.features,
    input: recipe.input,
    mapSmoothing: recipe.mapSmoothing,
    scoreTopK: recipe.scoreTopK,
    roi: recipe.roi,
    validationFraction: recipe.validationFraction,
    falseCallRate: recipe.falseCallRate,
    seed: recipe.seed,
    session,
  };
}
