/**
 * The DxMI training loop on a set of vectors (per-position image features, or 2-D points):
 * optional autoencoder pretraining, then per iteration a sampler rollout, adaptive velocity
 * regularization, an energy step, value steps from t = T-1 down to 0 and a sampler step.
 */
import ort from 'onnxruntime-node';
import { ParameterStore } from '../onnx/parameters.js';
import type { TrainingStep } from '../onnx/training-step.js';
import type { SessionConfig } from '../onnx/session.js';
import { Random } from '../util/random.js';
import { BatchSampler, type VectorSet } from './batches.js';
import type { DxmiConfig } from './config.js';
import { frozenName, valueTargetName } from './networks.js';
import { boxStart } from './initial-states.js';
import { ParameterAverage, TargetCopy } from './parameter-average.js';
import { compilePretrain, compileSteps, disposeSteps } from './steps.js';

export interface DxmiProgress {
  phase: 'pretrain' | 'dxmi';
  epoch: number;
  iteration: number;
  iterations: number;
  /** Pretraining: mean energy (reconstruction error) of the batch. */
  loss?: number;
  energyPositive?: number;
  energyNegative?: number;
  /** Mean over steps of the TD losses; valueLossPerStep has each, t = 0..T-1. */
  valueLoss?: number;
  valueLossPerStep?: number[];
  samplerLoss?: number;
  sigma?: number[];
  /** AVR scale per step. */
  s?: number[];
  /** The sampler's running cost per step: velocityWeight ||x_{t+1} - x_t||^2 / (2 s_t^2 D) and the entropy bonus tau log sigma_t. */
  velocityCost?: number[];
  entropyBonus?: number[];
  elapsedSeconds: number;
  secondsLeft: number;
  /** Set on iterations where validation ran. */
  validation?: number;
}

export interface DxmiTrainOptions {
  session?: SessionConfig;
  onProgress?: (progress: DxmiProgress) => void;
  /** Report progress every this many iterations (and at the end of each phase). */
  progressEvery?: number;
  /** A validation metric (e.g. AUROC) computed from the current parameters every `every` iterations. */
  validate?: { every: number; run: (store: ParameterStore) => Promise<number> };
  signal?: AbortSignal;
}

export interface DxmiRun {
  store: ParameterStore;
  config: DxmiConfig;
  history: DxmiProgress[];
  seconds: number;
}

const float = (data: Float32Array, shape: number[]): ort.Tensor => new ort.Tensor('float32', data, shape);

/** Rows of `out` ([rows, dim]) set to independent uniformly random unit vectors. */
function randomDirections(random: Random, out: Float32Array, dim: number): void {
  random.fillNormal(out);
  for (let row = 0; row < out.length / dim; row++) {
    const v = out.subarray(row * dim, (row + 1) * dim);
    const norm = Math.hypot(...v) || 1;
    for (let k = 0; k < dim; k++) v[k] /= norm;
  }
}

export async function trainDxmi(vectors: VectorSet, config: DxmiConfig, options: DxmiTrainOptions = {}): Promise<DxmiRun> {
  const { dim } = vectors;
  const n = config.batch;
  const steps = config.steps;
  const started = performance.now();
  const random = new Random(config.seed);
  const batches = new BatchSampler(vectors, n, random.fork('batches'));
  const noise = random.fork('noise');
  const store = new ParameterStore('float32', config.seed);
  const history: DxmiProgress[] = [];
  const every = options.progressEvery ?? 10;
  const session = options.session ?? {};
  const elapsed = (): number => (performance.now() - started) / 1000;
  const report = (p: Omit<DxmiProgress, 'elapsedSeconds'>, force: boolean): void => {
    if (!force && p.iteration % every !== 0 && p.validation === undefined) return;
    const full = { ...p, elapsedSeconds: elapsed() };
    history.push(full);
    options.onProgress?.(full);
  };
  const checkAbort = (): void => {
    if (options.signal?.aborted) throw new Error('training was cancelled');
  };
  const batch = new Float32Array(n * dim);
  const conditionDim = vectors.condition?.dim ?? 0;
  const condition = new Float32Array(n * conditionDim);
  const conditionFeed: Record<string, ort.Tensor> = conditionDim > 0 ? { condition: float(condition, [n, conditionDim]) } : {};

  // Phase 1: the energy alone, as an autoencoder on the data.
  const pretrain = await compilePretrain(dim, config, store, session);
  if (pretrain) {
    try {
      const iterations = Math.min(config.maxPretrainIterations ?? Infinity, Math.max(1, Math.round(config.pretrainEpochs * batches.batchesPerEpoch)));
      const phaseStart = performance.now();
      for (let i = 1; i <= iterations; i++) {
        checkAbort();
        const result = await pretrain.run({ x: float(batches.next(batch), [n, dim]) });
        const perIteration = (performance.now() - phaseStart) / 1000 / i;
        report({ phase: 'pretrain', epoch: batches.epoch, iteration: i, iterations, loss: Number(result.loss.data[0]), secondsLeft: perIteration * (iterations - i) }, i === iterations);
      }
    } finally {
      await pretrain.dispose();
    }
  }

  // Phase 2: DxMI.
  const iterations = config.epochs === 0 ? 0 : Math.min(config.maxIterations ?? Infinity, Math.max(1, Math.round(config.epochs * batches.batchesPerEpoch)));
  if (iterations > 0) {
    // The frozen copy of the pretrained energy generates MPDR initial states from here on.
    for (const name of store.names().filter((k) => k.startsWith('energy.'))) {
      const value = store.get(name);
      store.set(frozenName(name), value.shape, value.data.slice());
    }
    const compiled = await compileSteps(dim, conditionDim, config, store, session);
    const energyNames = store.names().filter((k) => k.startsWith('energy.'));
    const average = config.energyAverage > 0 ? new ParameterAverage(store, energyNames, config.energyAverage) : null;
    const valueNames = store.names().filter((k) => k.startsWith('value.'));
    const valueTarget = config.valueTargetAverage > 0 ? new TargetCopy(store, valueNames.map((k) => [k, valueTargetName(k)] as const), config.valueTargetAverage) : null;
    try {
      const latent = config.energy.kind === 'spherical-ae' ? config.energy.latent : 0;
      const nu = new Float32Array(n);
      const xi = new Float32Array(n * latent);
      const rolloutNoise = new Float32Array(steps * n * dim);
      const stepNoise = new Float32Array(n * dim);
      const sSquared = new Float32Array(steps).fill(config.initialSigma ** 2);
      const phaseStart = performance.now();
      const stride = n * dim;
      let lastValueStep: TrainingStep | null = null;

      for (let i = 1; i <= iterations; i++) {
        checkAbort();
        batches.next(batch, condition);
        // 1. Roll out the sampler from MPDR initial states (or from Gaussian noise in R^D: exact
        // draws from the residual energy's base, or data rows plus noise), each trajectory at a data row's condition.
        const start = config.space === 'sphere' ? batch : boxStart(batch, dim, config.dataStartShare, config.dataStartNoise, noise);
        noise.fillUniform(nu, config.latentNoise[0], config.latentNoise[1]);
        randomDirections(noise, xi, latent);
        noise.fillNormal(rolloutNoise);
        const rollout = await compiled.rollout.run({
          start: float(start, [n, dim]),
          nu: float(nu, [n, 1]),
          xi: float(xi, [n, latent]),
          eps: float(rolloutNoise, [steps, n, dim]),
          ...conditionFeed,
        });
        const states = rollout.states.data as Float32Array;
        const velocity = rollout.velocity.data as Float32Array;

        // 2. AVR: track the typical step length of each diffusion step.
        for (let t = 0; t < steps; t++) sSquared[t] = config.velocityMomentum * sSquared[t] + (1 - config.velocityMomentum) * velocity[t];

        // 3. Energy: down on data, up on the sampler's final states.
        const energy = await compiled.energy.run({ positive: float(batch, [n, dim]), negative: float(states.subarray(steps * stride), [n, dim]), ...conditionFeed });
        average?.update();

        // 4. Value: one TD step per t, from the end backwards.
        const valueLossPerStep = new Array<number>(steps);
        for (let t = steps - 1; t >= 0; t--) {
          noise.fillNormal(stepNoise);
          // One Adam for V (config.sharedValueOptimizer): go on from the moments the last TD step left.
          const step = compiled.value[t];
          if (config.sharedValueOptimizer && lastValueStep) step.loadOptimizerState(lastValueStep.optimizerState(), lastValueStep.steps);
          lastValueStep = step;
          const result = await step.run({
            x: float(states.subarray(t * stride, (t + 1) * stride), [n, dim]),
            eps: float(stepNoise, [n, dim]),
            s_squared: float(sSquared.subarray(t, t + 1), []),
            ...conditionFeed,
          });
          valueLossPerStep[t] = Number(result.loss.data[0]);
        }
        valueTarget?.update();

        // 5. Sampler: reparameterized steps from the stored states toward low future cost. The
        // rollout's own noise: the pathwise gradient of the trajectories that were sampled (the
        // sampler has not changed since), and one normal draw fewer per iteration.
        const sampler = await compiled.sampler.run({
          states: float(states.subarray(0, steps * stride), [steps, n, dim]),
          eps: float(rolloutNoise, [steps, n, dim]),
          s_squared: float(sSquared, [steps]),
          ...conditionFeed,
        });

        let validation: number | undefined;
        if (options.validate && i % options.validate.every === 0) {
          // Validate what would be exported: the averaged energy.
          average?.swap();
          validation = await options.validate.run(store);
          average?.swap();
        }
        const perIteration = (performance.now() - phaseStart) / 1000 / i;
        report(
          {
            phase: 'dxmi',
            epoch: batches.epoch,
            iteration: i,
            iterations,
            energyPositive: Number(energy.energyPositive.data[0]),
            energyNegative: Number(energy.energyNegative.data[0]),
            valueLoss: valueLossPerStep.reduce((a, b) => a + b, 0) / steps,
            valueLossPerStep,
            samplerLoss: Number(sampler.loss.data[0]),
            sigma: Array.from(rollout.sigma.data as Float32Array),
            s: Array.from(sSquared, Math.sqrt),
            velocityCost: Array.from(sampler.velocityCost.data as Float32Array),
            entropyBonus: Array.from(sampler.entropyBonus.data as Float32Array),
            secondsLeft: perIteration * (iterations - i),
            validation,
          },
          i === iterations,
        );
      }
      average?.swap(); // the averaged energy is the trained model
    } finally {
      await disposeSteps(compiled);
    }
  }
  return { store, config, history, seconds: elapsed() };
}
