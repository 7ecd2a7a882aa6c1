/**
 * `kensa eval`: train every method on an MVTec category's train/good (features extracted once),
 * package and calibrate each exactly as `kensa train` does, run each exported model on test/, and
 * measure image AUROC, pixel AUROC, AUPRO (to 30% FPR) and F1 at the calibrated threshold.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { GOOD, type DatasetItem } from '../datasets/item.js';
import { loadMask } from '../datasets/mask.js';
import { loadMvtec } from '../datasets/mvtec.js';
import { decodeImage } from '../image/decode.js';
import type { InputSpec, Method } from '../model/manifest.js';
import { aupro } from '../metrics/aupro.js';
import { f1AtThreshold } from '../metrics/f1.js';
import { auroc, roc, type RocPoint } from '../metrics/roc.js';
import { createSession, type SessionConfig } from '../onnx/session.js';
import { MODEL_INPUT } from '../training/inference-model.js';
import { scoreImages, type ScoredImage } from '../training/score-images.js';
import { FeatureExtractor } from '../features/extractor.js';
import type { TileChoice } from '../features/auto-tile.js';
import type { FeatureSet } from '../methods/method.js';
import { extractFeatures } from '../training/extract-features.js';
import type { TopKChoice } from '../training/score-pooling.js';
import { featureCacheKey, packageMethod, preparedFeatureOptions, prepareTraining, type PreparedTraining, type TrainingConfig } from '../training/train-product.js';

export interface EvaluationOptions extends TrainingConfig {
  methods: Method[];
  /** Where the evaluated model packages are written (one folder per method). */
  workDir: string;
  /** Report DxMI's test image AUROC every this many iterations while it trains (monitoring only). */
  monitorEvery?: number;
}

export interface MethodEvaluation {
  imageAuroc: number;
  pixelAuroc: number;
  aupro: number;
  f1: number;
  trainSeconds: number;
  msPerImage: number;
  /** Size of the exported model.onnx (every pass's weights), in MB. */
  modelMB: number;
  /** Image AUROC of good against each defect type. */
  perDefect: Record<string, number>;
  /** DxMI methods: the energy's kind (residual, spherical-ae), which says what the DxMI stage started from. */
  energyKind?: string;
  threshold: number;
  /** Grid cells averaged into the image score, and when chosen automatically the implanted-defect AUROC of every candidate. */
  scoreTopK: { k: number; candidates?: TopKChoice['candidates'] };
  roc: RocPoint[];
  /** Test image AUROC while training (DxMI with monitorEvery). */
  monitor: { iteration: number; auroc: number }[];
  /** Per test image: name, file, label, raw score (for reports). */
  scores: { name: string; path: string; label: string; score: number }[];
  modelDir: string;
}

export interface Evaluation {
  dataset: string;
  images: { train: number; validation: number; test: number };
  /** The model input every method was trained and tested at (`--tile auto` may choose it), and the tiling decision. */
  input: InputSpec;
  tiling?: TileChoice;
  methods: Record<string, MethodEvaluation>;
}

/** Median latency of one image through the whole model inside ONNX Runtime (batch of 1). */
async function latency(modelPath: string, file: string, input: InputSpec, session: SessionConfig, runs = 20): Promise<number> {
  const image = await decodeImage(await readFile(file), input);
  const s = await createSession(modelPath, session);
  const feeds = { [MODEL_INPUT]: new ort.Tensor('float32', image.data, [1, 3, image.height, image.width]) };
  const times: number[] = [];
  try {
    for (let i = 0; i < runs + 3; i++) {
      const started = performance.now();
      await s.run(feeds);
      if (i >= 3) times.push(performance.now() - started);
    }
  } finally {
    await s.release();
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Ground-truth masks at each scored map's size (all zero for good images and missing masks). */
async function masksFor(items: readonly DatasetItem[], scored: readonly ScoredImage[]): Promise<Uint8Array[]> {
  return Promise.all(
    items.map((item, i) => {
      const { width, height } = scored[i];
      return item.maskPath ? loadMask(item.maskPath, { width, height }) : Promise.resolve(new Uint8Array(width * height));
    }),
  );
}

/** Feature maps of the test images, with the training run's feature settings (and cache). */
async function testFeatures(prepared: PreparedTraining, files: string[]): Promise<FeatureSet> {
  const { config, backbone } = prepared;
  const extractor = await FeatureExtractor.create({ backbone, ...preparedFeatureOptions(prepared), ...config.session });
  try {
    return await extractFeatures(files, {
      extractor,
      input: config.input,
      cache: config.cacheDir ? { dir: config.cacheDir, key: featureCacheKey(backbone, config.features, config.input, prepared.tiling?.grid) } : undefined,
      onProgress: (done, total) => config.onProgress?.('features', `${done}/${total} test images`, done / total),
    });
  } finally {
    await extractor.release();
  }
}

export async function evaluate(options: EvaluationOptions): Promise<Evaluation> {
  const dataset = await loadMvtec(options.data);
  if (dataset.test.length === 0) throw new Error(`${options.data} has no test images (test/<type>/)`);
  let prepared = await prepareTraining(options);
  const test = dataset.test;
  const labels = test.map((item) => (item.label === GOOD ? 0 : 1));
  if (options.monitorEvery) {
    const features = await testFeatures(prepared, test.map((t) => t.path));
    prepared = { ...prepared, config: { ...prepared.config, validation: { features, labels, every: options.monitorEvery } } };
  }
  const progress = options.onProgress ?? (() => undefined);
  let masks: Uint8Array[] | null = null;
  const methods: Record<string, MethodEvaluation> = {};

  for (const method of options.methods) {
    const pkg = await packageMethod(prepared, method, { product: path.basename(path.resolve(options.data)), version: method, dir: path.join(options.workDir, method) });
    const run = await scoreImages(pkg.modelPath, test.map((t) => t.path), pkg.manifest.input, {
      session: options.session,
      onProgress: (done, total) => progress('test', `${method}: ${done}/${total} test images`, done / total),
      signal: options.signal,
    });
    masks ??= await masksFor(test, run.images);
    const scores = run.images.map((s) => s.score);
    const pixelCount = run.images.reduce((sum, s) => sum + s.map.length, 0);
    const pixelScores = new Float32Array(pixelCount);
    const pixelLabels = new Uint8Array(pixelCount);
    let offset = 0;
    run.images.forEach((s, i) => {
      pixelScores.set(s.map, offset);
      pixelLabels.set(masks![i], offset);
      offset += s.map.length;
    });
    const perDefect: Record<string, number> = {};
    for (const type of dataset.defectTypes) {
      const subset = test.flatMap((item, i) => (item.label === GOOD || item.label === type ? [i] : []));
      perDefect[type] = auroc(subset.map((i) => scores[i]), subset.map((i) => labels[i]));
    }
    const threshold = pkg.manifest.calibration.image.threshold;
    methods[method] = {
      imageAuroc: auroc(scores, labels),
      pixelAuroc: auroc(pixelScores, pixelLabels),
      aupro: aupro(run.images.map((s, i) => ({ width: s.width, height: s.height, scores: s.map, mask: masks![i] })), { maxFpr: 0.3 }),
      f1: f1AtThreshold(scores, labels, threshold).f1,
      trainSeconds: pkg.manifest.training.seconds,
      msPerImage: await latency(pkg.modelPath, test[0].path, pkg.manifest.input, options.session),
      modelMB: (await stat(pkg.modelPath)).size / 1e6,
      perDefect,
      energyKind: (pkg.manifest.training.config.energy as { kind?: string } | undefined)?.kind,
      threshold,
      scoreTopK: {
        k: pkg.manifest.training.config.scoreTopK as number,
        candidates: (pkg.manifest.training.config.scoreTopKChoice as TopKChoice | undefined)?.candidates,
      },
      roc: roc(scores, labels, { maxPoints: 200 }).curve,
      monitor: (pkg.manifest.training.config.monitor as MethodEvaluation['monitor'] | undefined) ?? [],
      scores: test.map((item, i) => ({ name: item.name, path: item.path, label: item.label, score: scores[i] })),
      modelDir: pkg.dir,
    };
  }
  return {
    dataset: path.resolve(options.data),
    images: { train: prepared.train.length, validation: prepared.validation.length, test: test.length },
    input: prepared.config.input,
    ...(prepared.tiling ? { tiling: prepared.tiling } : {}),
    methods,
  };
}
