/**
 * From a folder of good parts to a calibrated model package, in two stages that evaluation
 * reuses: `prepareTraining` (load, split, backbone features: shared by every method) and
 * `packageMethod` (fit, export image -> anomaly map as one ONNX model, calibrate on the held-out
 * good images, write <dir>/model.onnx + manifest.json, and roi.png with a region of interest).
 */
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { loadBackbone } from '../backbones/index.js';
import type { Backbone } from '../backbones/backbone.js';
import { loadImageFolder } from '../datasets/folder.js';
import type { DatasetItem, DatasetWarning } from '../datasets/item.js';
import { loadMvtec } from '../datasets/mvtec.js';
import { splitTrainValidation } from '../datasets/split.js';
import type { TileChoice } from '../features/auto-tile.js';
import { FeatureExtractor } from '../features/extractor.js';
import { resolveFeatureOptions, type FeatureOptions } from '../features/feature-graph.js';
import { tileUnit, type TileGrid } from '../features/tiling.js';
import { buildReference } from '../health/reference.js';
import { calibrate, MIN_CALIBRATION_IMAGES } from '../model/calibration.js';
import { MANIFEST_FORMAT, type InputSpec, type Manifest, type Method } from '../model/manifest.js';
import { ROI_FILE, writeModelPackage, type ModelPackage } from '../model/model-package.js';
import { loadRoi, type RegionOfInterest, type RoiRecord } from '../model/roi.js';
import type { SessionConfig } from '../onnx/session.js';
import { extractFeatures, type ExtractedFeatures } from './extract-features.js';
import type { FeatureSet, FitOptions, FittedMethod } from '../methods/method.js';
import type { ScaleNormalization } from '../model/scale-fusion.js';
import { fitMethod, type MethodSettings } from './fit-method.js';
import { buildInferenceModel, type InferenceModelSpec, type ScalePass } from './inference-model.js';
import { findOutliers } from './outliers.js';
import { resolveTiling } from './resolve-tiling.js';
import { measureNormalization } from './scale-normalization.js';
import { scoreImages } from './score-images.js';
import { chooseScoreTopK, type TopKChoice } from './score-pooling.js';

export const MIN_TRAINING_IMAGES = 10;
/**
 * Held-out images a multi-scale model needs: each pass's spread is measured on them, and on a
 * handful the fused scores tie (two images whose order the passes disagree on score alike).
 */
export const MIN_SCALE_IMAGES = 10;

export interface FeatureSettings {
  /** Built-in backbone name or path to a backbone.json. */
  backbone: string;
  layers?: string[];
  stride: number;
  /** k x k average of features (odd; 1: none). */
  smoothing: number;
  /** Tiles of the backbone pass, or 'auto' (decided from the training images); absent: the whole frame. */
  tile?: TileGrid | 'auto';
  /** Also a coarse pass over the whole frame shrunk by this factor (0 < s < 1), its map fused with the fine one (multi-scale.ts); absent: one pass. */
  coarseScale?: number;
}

export interface TrainingConfig {
  /** An MVTec category root (its train/good is used) or a folder of good images. */
  data: string;
  /** Where converted backbones are cached (and packages go by default). */
  modelsDir: string;
  settings: MethodSettings;
  features: FeatureSettings;
  input: InputSpec;
  mapSmoothing: number;
  /** Grid cells averaged into the image score (1: the maximum), or 'auto': chosen on held-out images with implanted defects. */
  scoreTopK: number | 'auto';
  /** Mask image of the region of interest (white: inspect, black: ignore); default the whole frame. */
  roi?: string;
  validationFraction: number;
  falseCallRate: number;
  seed: number;
  session: SessionConfig;
  /** Folder for cached feature maps (default: none). */
  cacheDir?: string;
  /** Labelled images to monitor an iterative method's AUROC on while it trains. */
  validation?: FitOptions['validation'];
  onProgress?: (stage: string, message: string, fraction: number) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface TrainProductOptions extends TrainingConfig {
  product: string;
  version?: string;
  /** The package folder; default <modelsDir>/<product>/<version>. */
  out?: string;
  method: Method;
}

/** The method-independent part of training. */
export interface PreparedTraining {
  config: TrainingConfig;
  train: DatasetItem[];
  validation: DatasetItem[];
  backbone: Backbone;
  layers: string[];
  features: ExtractedFeatures;
  /** The coarse pass's features, when config.features.coarseScale asks for one. */
  coarse?: { scale: number; features: ExtractedFeatures };
  featureSeconds: number;
  /** Read from config.roi. */
  roi?: RegionOfInterest;
  /** What config.features.tile resolved to; absent when no tiling was asked for. */
  tiling?: TileChoice;
}

/** Good images for training: train/good of an MVTec category, or every image of a folder. */
export async function loadGoodImages(data: string): Promise<{ items: DatasetItem[]; warnings: DatasetWarning[] }> {
  const isMvtec = await access(path.join(data, 'train', 'good')).then(
    () => true,
    () => false,
  );
  if (isMvtec) {
    const dataset = await loadMvtec(data);
    return { items: dataset.train, warnings: dataset.warnings };
  }
  const folder = await loadImageFolder(data);
  return { items: folder.items, warnings: folder.warnings };
}

/** Everything the cached feature maps depend on: the whole backbone manifest (input scaling, converter version...), layers, grid and input. */
export function featureCacheKey(backbone: Backbone, features: FeatureSettings, input: InputSpec, tile?: TileGrid | null, inputScale = 1): string {
  // The tile grid and the scale only when they apply, so caches of plain features stay valid.
  return JSON.stringify({
    backbone: backbone.manifest,
    layers: features.layers ?? null,
    stride: features.stride,
    smoothing: features.smoothing,
    input,
    ...(tile ? { tile } : {}),
    ...(inputScale !== 1 ? { inputScale } : {}),
  });
}

/**
 * The feature graph's options of one pass: the fine one (inputScale 1, tiled when asked) or a
 * coarse one (the frame shrunk, untiled); unnormalized (methods normalize themselves).
 */
function passFeatureOptions(features: FeatureSettings, layers: readonly string[] | undefined, tile: TileGrid | undefined, inputScale: number): FeatureOptions {
  const base = { layers, stride: features.stride, smoothing: features.smoothing, normalize: false };
  return inputScale < 1 ? { ...base, inputScale } : { ...base, ...(tile ? { tile } : {}) };
}

/** passFeatureOptions of a prepared training run's fine or coarse pass, with the layers it resolved. */
export function preparedFeatureOptions(prepared: PreparedTraining, pass: 'fine' | 'coarse' = 'fine'): FeatureOptions {
  if (pass === 'coarse' && !prepared.coarse) throw new Error('this training run has no coarse pass');
  const scale = pass === 'coarse' ? prepared.coarse!.scale : 1;
  return passFeatureOptions(prepared.config.features, prepared.layers, prepared.tiling?.grid ?? undefined, scale);
}

export async function prepareTraining(requested: TrainingConfig): Promise<PreparedTraining> {
  let config = requested;
  const started = performance.now();
  const progress = config.onProgress ?? (() => undefined);
  const warn = config.onWarning ?? (() => undefined);
  // Before the long feature extraction, so a bad mask fails at once.
  const roi = config.roi === undefined ? undefined : await loadRoi(config.roi);

  const { items, warnings } = await loadGoodImages(config.data);
  for (const w of warnings) warn(`${w.name}: ${w.message}`);
  if (items.length < MIN_TRAINING_IMAGES) {
    throw new Error(`${config.data} has ${items.length} readable good images; training needs at least ${MIN_TRAINING_IMAGES}`);
  }
  const split = splitTrainValidation(items, config.validationFraction, config.seed, MIN_CALIBRATION_IMAGES);
  if (config.features.coarseScale !== undefined && split.validation.length < MIN_SCALE_IMAGES) {
    warn(`${split.validation.length} held-out images are too few to measure a coarse pass against the fine one (${MIN_SCALE_IMAGES} needed): trained at one scale`);
    config = { ...config, features: { ...config.features, coarseScale: undefined } };
  }

  const backbone = await loadBackbone(config.features.backbone, config.modelsDir);
  const { outputs } = resolveFeatureOptions(backbone, { layers: config.features.layers, stride: config.features.stride });
  const resolved = await resolveTiling(config.features.tile, split.train.map((i) => i.path), config.input, config.features.coarseScale, tileUnit(outputs, config.features.stride));
  config = { ...config, input: resolved.input, features: { ...config.features, coarseScale: resolved.coarseScale } };
  const { tiling } = resolved;
  const tile = tiling?.grid ?? undefined;
  // The coarse pass shrinks the whole frame in the graph, from the same decoded input, and runs untiled.
  const coarseScale = config.features.coarseScale;
  // One 'features' stage for both passes: the fine pass fills the first half of its progress when a coarse one follows.
  const passShare = coarseScale === undefined ? 1 : 0.5;
  const extract = async (inputScale: number, label: string, start: number): Promise<{ features: ExtractedFeatures; layers: string[] }> => {
    const options = passFeatureOptions(config.features, config.features.layers, tile, inputScale);
    const extractor = await FeatureExtractor.create({ backbone, ...options, ...config.session });
    try {
      const extracted = await extractFeatures(
        split.train.map((i) => i.path),
        {
          extractor,
          input: config.input,
          cache: config.cacheDir ? { dir: config.cacheDir, key: featureCacheKey(backbone, config.features, config.input, options.tile, inputScale) } : undefined,
          onProgress: (done, total) => progress('features', `${label}${done}/${total} images`, start + (passShare * done) / total),
          signal: config.signal,
        },
      );
      return { features: extracted, layers: extractor.layers.map((l) => l.name) };
    } finally {
      await extractor.release();
    }
  };
  const { features, layers } = await extract(1, '', 0);
  const coarse = coarseScale === undefined ? undefined : { scale: coarseScale, features: (await extract(coarseScale, 'coarse pass: ', 0.5)).features };
  for (const outlier of findOutliers(features)) {
    warn(`${split.train[outlier.index].name} looks unlike the other training images (${outlier.reason}); if it is not a good part of this product, remove it: it poisons the model`);
  }
  return {
    config,
    train: split.train,
    validation: split.validation,
    backbone,
    layers,
    features,
    ...(coarse ? { coarse } : {}),
    featureSeconds: (performance.now() - started) / 1000,
    roi,
    ...(tiling ? { tiling } : {}),
  };
}

export async function packageMethod(prepared: PreparedTraining, method: Method, target: { product: string; version: string; dir: string }): Promise<ModelPackage> {
  const { config, backbone, features } = prepared;
  const started = performance.now();
  const progress = config.onProgress ?? (() => undefined);
  const passShare = prepared.coarse ? 0.5 : 1;
  const fit = (set: FeatureSet, label: string, start: number, validation?: FitOptions['validation']): Promise<FittedMethod> =>
    fitMethod(method, set, config.settings, {
      session: config.session,
      seed: config.seed,
      signal: config.signal,
      validation,
      onProgress: (message, fraction) => progress('train', label + message, start + passShare * fraction),
    });
  const passes: ScalePass[] = [{ features: preparedFeatureOptions(prepared), fitted: await fit(features, '', 0, config.validation) }];
  if (prepared.coarse) passes.push({ features: preparedFeatureOptions(prepared, 'coarse'), fitted: await fit(prepared.coarse.features, 'coarse pass: ', 0.5) });
  const [{ fitted }] = passes;
  const validationFiles = prepared.validation.map((i) => i.path);
  const { roi } = prepared;
  const exported = (spec: Pick<InferenceModelSpec, 'passes' | 'normalizations' | 'scoreTopK' | 'gridOutput'>): Uint8Array =>
    buildInferenceModel({ backbone, mapSmoothing: config.mapSmoothing, roi: roi?.reduced, ...spec });
  let normalizations: ScaleNormalization[] | undefined;
  if (passes.length > 1) {
    progress('calibrate', 'measuring each scale on the held-out images', 0);
    normalizations = [];
    for (const pass of passes) {
      normalizations.push(await measureNormalization(exported({ passes: [pass], scoreTopK: 1 }), validationFiles, config.input, { session: config.session, signal: config.signal }));
    }
  }
  const build = (scoreTopK: number, gridOutput = false): Uint8Array => exported({ passes, normalizations, scoreTopK, gridOutput });
  let topKChoice: TopKChoice | undefined;
  let scoreTopK: number;
  if (config.scoreTopK === 'auto') {
    progress('calibrate', 'choosing the image score on held-out images with implanted defects', 0);
    topKChoice = await chooseScoreTopK(build(1, true), validationFiles, config.input, { seed: config.seed, session: config.session, signal: config.signal });
    scoreTopK = topKChoice.k;
  } else {
    scoreTopK = config.scoreTopK;
  }
  const onnx = build(scoreTopK);
  const validation = await scoreImages(
    onnx,
    validationFiles,
    config.input,
    { session: config.session, onProgress: (done, total) => progress('calibrate', `${done}/${total} held-out images`, done / total), signal: config.signal },
  );
  const pixels = new Float32Array(validation.images.reduce((sum, s) => sum + s.map.length, 0));
  let offset = 0;
  for (const s of validation.images) {
    pixels.set(s.map, offset);
    offset += s.map.length;
  }
  const calibration = calibrate(
    validation.images.map((s) => s.score),
    pixels,
    { falseCallRate: config.falseCallRate },
  );

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    product: target.product,
    version: target.version,
    createdAt: new Date().toISOString(),
    method,
    backbone: {
      name: backbone.manifest.name,
      layers: prepared.layers,
      stride: config.features.stride,
      channels: features.channels,
      ...(prepared.tiling ? { tiling: prepared.tiling } : {}),
    },
    input: config.input,
    calibration,
    reference: buildReference(validation.images.map((s) => ({ rawScore: s.score, quality: s.quality }))),
    training: {
      images: prepared.train.length,
      digest: createHash('sha256').update([...features.hashes].sort().join('\n')).digest('hex'),
      seconds: prepared.featureSeconds + (performance.now() - started) / 1000,
      device: config.session.device ?? 'cpu',
      config: {
        ...fitted.config,
        features: config.features,
        mapSmoothing: config.mapSmoothing,
        scoreTopK,
        ...(topKChoice ? { scoreTopKChoice: topKChoice } : {}),
        ...(roi ? { roi: { file: ROI_FILE, coverage: roi.coverage } satisfies RoiRecord } : {}),
        ...(passes.length > 1 ? { scales: scalesRecord(passes, normalizations ?? []) } : {}),
        seed: config.seed,
        validationFraction: config.validationFraction,
        ...(fitted.monitor?.length ? { monitor: fitted.monitor } : {}),
      },
    },
    metrics: {
      validationImages: prepared.validation.length,
      validationScoreMedian: calibration.image.center,
      validationFalseCalls: validation.images.filter((s) => s.score >= calibration.image.threshold).length,
    },
    timings: { featureSeconds: prepared.featureSeconds, fitSeconds: passes.reduce((sum, pass) => sum + pass.fitted.trainSeconds, 0), msPerImage: validation.msPerImage },
  };
  return writeModelPackage(target.dir, onnx, manifest, roi?.png);
}

/** What the manifest says of a multi-scale model's passes: the scale, normalization and fit of each. */
function scalesRecord(passes: readonly ScalePass[], normalizations: readonly ScaleNormalization[]) {
  return passes.map((pass, i) => ({
    inputScale: pass.features.inputScale ?? 1,
    ...normalizations[i],
    trainSeconds: pass.fitted.trainSeconds,
    // The fine pass's settings are the manifest's own; a coarse pass records what its fit chose.
    ...(i > 0 ? { config: pass.fitted.config } : {}),
  }));
}

export async function trainProduct(options: TrainProductOptions): Promise<ModelPackage> {
  const version = options.version ?? new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const prepared = await prepareTraining(options);
  return packageMethod(prepared, options.method, { product: options.product, version, dir: options.out ?? path.join(options.modelsDir, options.product, version) });
}
