/**
 * Every DxMI knob, with the two presets: `paper` (the sizes of the NeurIPS 2024 paper's anomaly
 * detection setup) and `fast` (sized so a product trains on 2 CPU cores in minutes). The whole
 * resolved config is recorded in each model's manifest.
 */
import { z } from 'zod';

export const EnergyConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    /** Reconstruction error of an autoencoder whose code and output live on unit spheres. */
    kind: z.literal('spherical-ae'),
    hidden: z.array(z.number().int().positive()),
    latent: z.number().int().positive(),
  }),
  z.object({
    /** A plain MLP x -> scalar (the paper's 2-D experiments). */
    kind: z.literal('mlp'),
    hidden: z.array(z.number().int().positive()),
  }),
  z.object({
    /**
     * A Gaussian base plus a learned correction, on whitened residuals z of the base (good data
     * is close to N(0, I) there): E(z, c) = |z|^2 / (2D) + f([z ; c]), c the position embedding.
     * f's last layer starts at zero, so training starts from the base exactly; gamma bounds f only.
     */
    kind: z.literal('residual'),
    hidden: z.array(z.number().int().positive()),
    /** Channels of the Gaussian base (seeded random subset; 0: all). */
    baseDims: z.number().int().nonnegative(),
    /** Allow a Gaussian per grid position; it is used when it explains held-out images better than a pooled one. */
    perPosition: z.boolean(),
    /** Octaves of the position embedding f is conditioned on. */
    positionFrequencies: z.number().int().min(1),
    /** At most this many training positions (a seeded random subset) go to DxMI. */
    maxVectors: z.number().int().positive(),
  }),
]);
export type EnergyConfig = z.infer<typeof EnergyConfigSchema>;

export const DxmiConfigSchema = z.object({
  preset: z.string(),
  energy: EnergyConfigSchema,
  /**
   * Where the data lives: on the unit sphere (features are L2-normalized), or in the box
   * [-bound, bound]^D. The sampler's step means are projected onto it: a compact space keeps the
   * sampler from chasing the value network's extrapolation off to infinity.
   */
  space: z.enum(['sphere', 'box']),
  bound: z.number().positive().optional(),
  /** Diffusion steps of the sampler. */
  steps: z.number().int().min(1),
  samplerHidden: z.array(z.number().int().positive()),
  /** mean_t = project(x_t + MLP(x_t, t)) instead of project(MLP(x_t, t)): starts near identity. */
  samplerResidual: z.boolean(),
  /**
   * Residual sampler only: each step's mean moves at most this far per dimension (a tanh-squashed
   * drift, as for SAC's bounded actions). Without a bound, a value network that extrapolates
   * wrongly off the data pulls the sampler there in one step, its TD targets explode, and the
   * game diverges (measured on MTD: negatives at the box's corners after ~350 iterations).
   */
  maxDrift: z.number().positive().optional(),
  valueHidden: z.array(z.number().int().positive()),
  timeEmbedding: z.number().int().positive().multipleOf(2),
  /** Initial sigma_t of every step. */
  initialSigma: z.number().positive(),
  /**
   * The last step's sigma, fixed instead of learned (null: learned like the others). AVR divides
   * the velocity cost by the step size it tracks, so that cost no longer grows with sigma, and
   * the entropy bonus -tau log sigma would inflate the last step until the energy's curvature
   * stops it: the samples become blurred data. The authors' sampler fixes it at 0.001.
   */
  finalSigma: z.number().positive().nullable().default(null),
  /** Entropy weight. 0 makes the sampler collapse onto energy minima. */
  tau: z.number().nonnegative(),
  /**
   * Weight of the velocity cost ||x_{t+1} - x_t||^2 / (2 s_t^2 D) (the authors' tau2; tau is
   * their tau1). AVR makes s_t^2 track the step, m_t^2 + sigma_t^2 with m_t the mean's move, so
   * the sampler's loss is stationary in sigma_t where sigma_t^2 = tau m_t^2 / (velocityWeight - tau):
   * at velocityWeight = tau there is no such point and only the energy's curvature holds sigma back.
   * Absent (configs recorded before it existed): tau.
   */
  velocityWeight: z.number().nonnegative().optional(),
  /**
   * The value's TD target: V(x_{t+1}, t+1) plus the step's running cost (the soft Bellman target),
   * or V(x_{t+1}, t+1) alone, the authors' default (the sampler's loss has its own running cost).
   * A time-conditioned V barely tells t from t+1 at first, so each TD step adds the running cost
   * to V everywhere and V can ratchet away from the energy it ends on. Absent (configs recorded before it): true.
   */
  runningCostInValue: z.boolean().default(true),
  /**
   * One Adam state for the value network across the T TD steps of an iteration, as the authors'
   * single value optimizer, instead of one per step. With one per step, the T-1 steps whose target
   * is V itself each take full Adam-sized steps and drag V off the energy faster than the last
   * step's target E pulls it back (2-D: TD loss 1e-2 -> 1e2 within 40 iterations). Absent: false.
   */
  sharedValueOptimizer: z.boolean().default(false),
  /**
   * TD targets V(x_{t+1}, t+1) from a copy of V that follows it as a moving average with this
   * decay (a target network), not from V itself (0). Absent (configs recorded before it): 0.
   */
  valueTargetAverage: z.number().min(0).max(1).default(0),
  /** Weight of the energy-magnitude regularizer E(x+)^2 + E(x-)^2. */
  gamma: z.number().nonnegative(),
  /** AVR: s_t^2 <- m s_t^2 + (1 - m) mean ||x_{t+1} - x_t||^2 / D. */
  velocityMomentum: z.number().min(0).max(1),
  /**
   * MPDR-style initial states: the data's code on the latent sphere is moved by a random
   * direction times a length drawn from U[min, max], then decoded.
   */
  latentNoise: z.tuple([z.number().nonnegative(), z.number().nonnegative()]),
  /**
   * Box space: this share of the sampler's trajectories starts from the batch's data rows plus
   * dataStartNoise x N(0, I) (MPDR-style states near the data), the rest from exact draws of
   * N(0, I), the residual energy's base. Absent (configs recorded before it): 0, all from the base.
   */
  dataStartShare: z.number().min(0).max(1).default(0),
  dataStartNoise: z.number().nonnegative().default(1),
  batch: z.number().int().positive(),
  pretrainEpochs: z.number().nonnegative(),
  /** Upper bound on pretraining iterations whatever the epochs say. */
  maxPretrainIterations: z.number().int().positive().optional(),
  pretrainLr: z.number().positive(),
  epochs: z.number().nonnegative(),
  /** Upper bound on DxMI iterations whatever the epochs say (time budget on CPUs). */
  maxIterations: z.number().int().positive().optional(),
  energyLr: z.number().positive(),
  /** Decay of the moving average of the energy's parameters that is exported (0: export the last iterate). */
  energyAverage: z.number().min(0).max(1),
  valueLr: z.number().positive(),
  samplerLr: z.number().positive(),
  /** log sigma learns this many times faster than the sampler's weights. */
  sigmaLrFactor: z.number().positive(),
  clipNorm: z.number().positive(),
  seed: z.number().int(),
});
export type DxmiConfig = z.infer<typeof DxmiConfigSchema>;

export const PRESETS = {
  paper: {
    preset: 'paper',
    energy: { kind: 'spherical-ae', hidden: [1024, 1024, 1024], latent: 128 },
    space: 'sphere',
    steps: 5,
    samplerHidden: [2048, 2048, 2048],
    samplerResidual: false,
    valueHidden: [1024, 1024, 1024],
    timeEmbedding: 128,
    initialSigma: 0.1,
    // The paper's anomaly-detection setup learns every step's sigma, with tau1 = tau2 = tau.
    finalSigma: null,
    tau: 0.1,
    velocityWeight: 0.1,
    // The paper's soft Bellman target and per-step value steps.
    runningCostInValue: true,
    sharedValueOptimizer: false,
    valueTargetAverage: 0,
    gamma: 0,
    velocityMomentum: 0.99,
    latentNoise: [0.05, 0.3],
    dataStartShare: 0,
    dataStartNoise: 1,
    batch: 784,
    pretrainEpochs: 100,
    pretrainLr: 1e-4,
    epochs: 100,
    energyLr: 1e-4,
    energyAverage: 0.999,
    valueLr: 1e-5,
    samplerLr: 1e-5,
    sigmaLrFactor: 100,
    clipNorm: 0.1,
    seed: 0,
  },
  fast: {
    preset: 'fast',
    // The correction runs at every grid cell of every image: a second layer of 128 halves its
    // largest product (MTD, both passes, seeds 0 / 1: 0.953 / 0.754 / 0.732 and 0.951 / 0.749 /
    // 0.731, against 0.954 / 0.750 / 0.730 and 0.950 / 0.750 / 0.731 with 256).
    energy: { kind: 'residual', hidden: [256, 128], baseDims: 100, perPosition: true, positionFrequencies: 4, maxVectors: 200_000 },
    // Whitened residuals: good data is close to N(0, I), so |z_k| <= 8 bounds every plausible state.
    space: 'box',
    bound: 8,
    steps: 5,
    samplerHidden: [256, 256],
    samplerResidual: true,
    maxDrift: 0.3,
    valueHidden: [256, 256],
    timeEmbedding: 32,
    initialSigma: 0.1,
    finalSigma: null,
    // The residual energy is in nats per dimension, as the running costs are: tau = 1 makes the
    // sampler's target exp(-D E), which is the base itself while f = 0.
    tau: 1,
    velocityWeight: 1,
    // The authors' value learning: TD targets V(x_{t+1}, t+1) alone and one Adam for the T value
    // steps. With the soft Bellman target and per-step optimizers the TD loss ran to 1e13-1e14 on
    // MTD at seed 1, at fill 320 and at tau 0.5 or 2, and DxMI then added nothing to its base;
    // here it stays near 1e-3 at seeds 0 and 1.
    runningCostInValue: false,
    sharedValueOptimizer: true,
    valueTargetAverage: 0,
    gamma: 1,
    velocityMomentum: 0.99,
    latentNoise: [0, 0],
    // MPDR-style starts next to the data (data rows plus 1.5 N(0, I)): negatives that differ from
    // good residuals locally, so f sharpens the map instead of only the image score. On MTD (seeds
    // 0 / 1, with the value learning above) image / pixel AUROC / AUPRO 0.938 / 0.737 / 0.714 and
    // 0.923 / 0.742 / 0.716, against the base's 0.928 / 0.729 / 0.716 and 0.924 / 0.726 / 0.712;
    // starts drawn from the base gave 0.933 / 0.720 / 0.649 and 0.928 / 0.708 / 0.642.
    dataStartShare: 1,
    dataStartNoise: 1.5,
    batch: 512,
    pretrainEpochs: 0,
    pretrainLr: 1e-3,
    epochs: 4,
    // Per pass: the default recipe trains one model per scale. On MTD with both passes (seeds 0 / 1)
    // 500 iterations gave 0.954 / 0.750 / 0.730 and 0.950 / 0.750 / 0.731, 1000 gave 0.956 / 0.746 /
    // 0.730 and 0.949 / 0.746 / 0.730: the second half of the run bought nothing but time.
    maxIterations: 500,
    energyLr: 1e-3,
    energyAverage: 0.99,
    valueLr: 1e-3,
    samplerLr: 1e-4,
    sigmaLrFactor: 10,
    clipNorm: 1,
    seed: 0,
  },
  'fast-spherical': {
    preset: 'fast-spherical',
    energy: { kind: 'spherical-ae', hidden: [512, 512], latent: 64 },
    space: 'sphere',
    steps: 5,
    samplerHidden: [512, 512],
    samplerResidual: true,
    valueHidden: [256, 256],
    timeEmbedding: 32,
    // Per-dimension noise on the unit sphere: 0.01 moves a 216-d vector by about 0.15 per step,
    // which keeps negatives near the data (0.1 scatters them into noise the energy learns nothing from).
    initialSigma: 0.01,
    // Learned like the others: at 400 iterations and a sigma learning rate of 1e-3, log sigma can
    // move by 0.4 at most, too little for the drift that velocityWeight = tau allows to matter.
    finalSigma: null,
    tau: 0.1,
    velocityWeight: 0.1,
    runningCostInValue: true,
    sharedValueOptimizer: false,
    valueTargetAverage: 0,
    // The energy-magnitude regularizer holds E(x-) near 1 / (2 gamma). Measured on MTD (400-600
    // iterations): gamma 0 or 1 lets the contrastive step distort the pretrained autoencoder
    // (image AUROC falls from 0.775 to 0.55-0.74); gamma 10 keeps the step gentle and improves it.
    gamma: 10,
    velocityMomentum: 0.99,
    latentNoise: [0.05, 0.3],
    dataStartShare: 0,
    dataStartNoise: 1,
    batch: 512,
    pretrainEpochs: 20,
    maxPretrainIterations: 2000,
    pretrainLr: 1e-3,
    epochs: 2,
    maxIterations: 400,
    energyLr: 1e-4,
    energyAverage: 0.99,
    valueLr: 1e-4,
    samplerLr: 1e-4,
    sigmaLrFactor: 10,
    clipNorm: 0.1,
    seed: 0,
  },
} satisfies Record<string, DxmiConfig>;

export type PresetName = keyof typeof PRESETS;

export function resolveConfig(preset: PresetName, overrides: Partial<DxmiConfig> = {}): DxmiConfig {
  return DxmiConfigSchema.parse({ ...PRESETS[preset], ...overrides });
}

/** The paper's spherical-autoencoder DxMI that goes with `config`: itself, or the fast spherical preset with its seed. */
export function sphericalCounterpart(config: DxmiConfig): DxmiConfig {
  return config.energy.kind === 'spherical-ae' ? config : resolveConfig('fast-spherical', { seed: config.seed });
}
