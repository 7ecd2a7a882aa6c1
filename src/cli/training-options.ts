/**
 * Flags shared by `kensa train` and `kensa eval`: input, backbone features, every DxMI knob and
 * the baselines' settings. Their defaults are the server's retraining recipe (DEFAULT_RECIPE), so
 * `kensa eval` measures exactly what a retrain produces. DxMI flags are generated from the preset's numeric knobs, so a new
 * knob in src/dxmi/config.ts is a flag without further work.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { PRESETS, resolveConfig, type DxmiConfig, type PresetName } from '../dxmi/config.js';
import { AUTO_TILE_OVERLAP } from '../features/auto-tile.js';
import type { TileGrid } from '../features/tiling.js';
import { DEFAULT_RECIPE } from '../jobs/recipe.js';
import { DEFAULT_GAUSSIAN } from '../methods/gaussian.js';
import { DEFAULT_KNN } from '../methods/knn.js';
import { ResizePolicySchema, type InputSpec } from '../model/manifest.js';
import { DEVICES, type Device, type SessionConfig } from '../onnx/session.js';
import type { MethodSettings } from '../training/fit-method.js';
import type { FeatureSettings } from '../training/train-product.js';

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const number = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${value}`);
  return n;
};
const list = (value: string): number[] => value.split(',').map(number);

/** `--score-top-k`: "auto" or a positive whole number of grid cells. */
export function parseTopK(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`expected auto or a positive whole number, got "${value}"`);
  return Number(value);
}

/** `--tile`: "auto", "<size>" (halo AUTO_TILE_OVERLAP) or "<size>:<overlap>", in model-input pixels. */
export function parseTile(value: string): TileGrid | 'auto' {
  if (value === 'auto') return 'auto';
  const match = /^(\d+)(?::(\d+))?$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected auto, <size> or <size>:<overlap> in pixels, got "${value}"`);
  return { size: Number(match[1]), overlap: match[2] === undefined ? AUTO_TILE_OVERLAP : Number(match[2]) };
}

/** `--coarse-scale`: a factor strictly between 0 and 1, or 0 for no coarse pass. */
export function parseCoarseScale(value: string): number {
  const scale = Number(value);
  if (!(scale >= 0 && scale < 1)) throw new InvalidArgumentError(`expected a factor in [0, 1) (0: no coarse pass), got "${value}"`);
  return scale;
}

/** DxMI knobs that are plain numbers or booleans, settable one by one. */
const FAST: Record<string, unknown> = PRESETS.fast;
const PAPER: Record<string, unknown> = PRESETS.paper;
const DXMI_SCALARS = Object.keys(FAST).filter((k) => ['number', 'boolean'].includes(typeof FAST[k]) && k !== 'seed');

export function addTrainingOptions(command: Command): Command {
  command
    .addOption(new Option('--preset <name>', 'DxMI sizes: fast (CPU, minutes) or paper (the paper\'s)').choices(Object.keys(PRESETS)).default('fast'))
    .option('--backbone <name|file>', 'built-in backbone (mobilenet_v2, inception_v3) or a backbone.json', 'mobilenet_v2')
    .option('--layers <names>', 'backbone outputs to use, comma-separated (default: the backbone\'s defaults)')
    .option('--stride <n>', 'feature grid stride (8 or 16)', number, DEFAULT_RECIPE.features.stride)
    .option('--feature-smoothing <k>', 'k x k average of features (odd; 1 = none)', number, DEFAULT_RECIPE.features.smoothing)
    .option('--tile <size[:overlap]|auto>', `run the backbone on overlapping tiles of size px with an overlap px halo each side (default halo ${AUTO_TILE_OVERLAP}); auto: frames of one aspect that the input would shrink are taken at their own resolution (up to about 2 MP), and tiled when over 1024 x 1024`, parseTile)
    .option('--coarse-scale <f>', 'also score the whole frame shrunk by this factor with its own model; the map is the larger of the two, each in units of its spread on held-out good images (0: one scale)', parseCoarseScale, DEFAULT_RECIPE.features.coarseScale ?? 0)
    .option('--map-smoothing <k>', 'k x k average of the energy grid (odd; 1 = none)', number, DEFAULT_RECIPE.mapSmoothing)
    .option('--score-top-k <k|auto>', 'image score: mean of the k highest cells of the energy grid (1 = the maximum); auto: the k that best tells held-out good images from copies with implanted defects', parseTopK, DEFAULT_RECIPE.scoreTopK)
    .option('--roi <mask>', 'region of interest: an image stretched onto the frame, white = inspect, black = ignore (default: the whole frame)')
    .addOption(new Option('--resize <policy>', 'how images become model input').choices(ResizePolicySchema.options).default(DEFAULT_RECIPE.input.policy))
    .option('--input-size <n>', 'input side (fill) or short side (fit-short-side)', number, DEFAULT_RECIPE.input.size)
    .option('--max-size <n>', 'longest input side for aspect-preserving resizing', number)
    .option('--validation-fraction <f>', 'share of good images held out for calibration', number, DEFAULT_RECIPE.validationFraction)
    .option('--false-call-rate <f>', 'target share of good parts called NG', number, DEFAULT_RECIPE.falseCallRate)
    .option('--seed <n>', 'seed of every random choice', number, DEFAULT_RECIPE.seed)
    .addOption(new Option('--device <device>', 'ONNX Runtime execution provider').choices(DEVICES).default('cpu'))
    .option('--threads <n>', 'intra-op threads (default: all cores)', number)
    .option('--cache-dir <dir>', 'cache extracted features here')
    .option('--energy-hidden <widths>', 'DxMI energy hidden widths (residual correction or autoencoder), comma-separated', list)
    .option('--energy-latent <n>', 'DxMI autoencoder latent size (spherical-ae energy)', number)
    .option('--base-dims <n>', 'DxMI residual energy: channels of the Gaussian base (0 = all)', number)
    .option('--sampler-hidden <widths>', 'DxMI sampler hidden widths', list)
    .option('--value-hidden <widths>', 'DxMI value network hidden widths', list)
    .option('--gaussian-dims <n>', 'gaussian: channels kept (0 = all)', number, DEFAULT_GAUSSIAN.dims)
    .option('--knn-coreset <ratio>', 'knn: share of training vectors kept', number, DEFAULT_KNN.coresetRatio)
    .option('--knn-max-bank <n>', 'knn: largest memory bank', number, DEFAULT_KNN.maxBank);
  for (const key of DXMI_SCALARS) {
    const example = FAST[key];
    if (typeof example === 'boolean') command.option(`--${kebab(key)} <true|false>`, `DxMI ${key}`, (v) => v === 'true');
    else command.option(`--${kebab(key)} <n>`, `DxMI ${key} (fast: ${String(example)}, paper: ${String(PAPER[key] ?? '-')})`, number);
  }
  return command;
}

export interface TrainingSettings {
  settings: MethodSettings;
  features: FeatureSettings;
  input: InputSpec;
  session: SessionConfig;
  mapSmoothing: number;
  scoreTopK: number | 'auto';
  roi?: string;
  validationFraction: number;
  falseCallRate: number;
  seed: number;
  cacheDir?: string;
}

export function trainingSettings(raw: Record<string, unknown>): TrainingSettings {
  const seed = raw.seed as number;
  const overrides: Partial<DxmiConfig> = { seed };
  for (const key of DXMI_SCALARS) if (raw[key] !== undefined) (overrides as Record<string, unknown>)[key] = raw[key];
  const preset = PRESETS[raw.preset as PresetName];
  if (preset.energy.kind === 'spherical-ae' && (raw.energyHidden || raw.energyLatent)) {
    overrides.energy = { ...preset.energy, hidden: (raw.energyHidden as number[]) ?? preset.energy.hidden, latent: (raw.energyLatent as number) ?? preset.energy.latent };
  }
  if (preset.energy.kind === 'residual' && (raw.energyHidden || raw.baseDims)) {
    overrides.energy = { ...preset.energy, hidden: (raw.energyHidden as number[]) ?? preset.energy.hidden, baseDims: (raw.baseDims as number) ?? preset.energy.baseDims };
  }
  if (raw.samplerHidden) overrides.samplerHidden = raw.samplerHidden as number[];
  if (raw.valueHidden) overrides.valueHidden = raw.valueHidden as number[];
  const stride = raw.stride as number;
  return {
    settings: {
      dxmi: resolveConfig(raw.preset as PresetName, overrides),
      gaussian: { ...DEFAULT_GAUSSIAN, dims: raw.gaussianDims as number },
      knn: { ...DEFAULT_KNN, coresetRatio: raw.knnCoreset as number, maxBank: raw.knnMaxBank as number },
    },
    features: {
      backbone: raw.backbone as string,
      layers: typeof raw.layers === 'string' ? raw.layers.split(',') : undefined,
      stride,
      smoothing: raw.featureSmoothing as number,
      ...(raw.tile ? { tile: raw.tile as TileGrid | 'auto' } : {}),
      ...(raw.coarseScale ? { coarseScale: raw.coarseScale as number } : {}),
    },
    input: {
      policy: raw.resize as InputSpec['policy'],
      size: raw.inputSize as number,
      maxSize: raw.maxSize as number | undefined,
      // Sides are multiples of the backbone's deepest stride (16 for both built-ins).
      multiple: Math.max(16, stride),
    },
    session: { device: raw.device as Device, threads: raw.threads as number | undefined },
    mapSmoothing: raw.mapSmoothing as number,
    scoreTopK: raw.scoreTopK as number | 'auto',
    roi: raw.roi as string | undefined,
    validationFraction: raw.validationFraction as number,
    falseCallRate: raw.falseCallRate as number,
    seed,
    cacheDir: raw.cacheDir as string | undefined,
  };
}
