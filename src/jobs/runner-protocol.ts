/** Messages between the server and a training job's runner process (JSON over the fork IPC channel). */
import type { InputSpec, Threshold } from '../model/manifest.js';
import type { SessionConfig } from '../onnx/session.js';
import type { EvaluationMaterial, EvaluationMetrics } from '../store/model-evaluations.js';
import type { TrainingRecipe } from './recipe.js';

/** A model to compare the candidate with: the product's active version when the job started. */
export interface Baseline {
  version: string;
  modelPath: string;
  input: InputSpec;
  /** Its image threshold in force (a re-calibration included). */
  threshold: Threshold;
}

export interface RunnerJob {
  jobId: string;
  product: string;
  version: string;
  recipe: TrainingRecipe;
  /** The staged good images. */
  trainingDir: string;
  /** Where to write the package (inside the job's hidden staging folder). */
  packageDir: string;
  /** For the backbone cache. */
  modelsDir: string;
  session: SessionConfig;
  /** Reviewed inspection images, beside the held-out good images the runner adds. */
  reviewed: { good: string[]; defect: string[] };
  baseline: Baseline | null;
}

export interface RunnerEvaluation {
  material: EvaluationMaterial;
  metrics: EvaluationMetrics;
  baselineMetrics: EvaluationMetrics | null;
}

export type RunnerRequest = { type: 'start'; job: RunnerJob };

export type RunnerReport =
  /** `fraction` of the current stage; `progress` of the whole job. */
  | { type: 'progress'; stage: string; message: string; fraction: number; progress: number }
  | { type: 'warning'; message: string }
  | { type: 'succeeded'; evaluation: RunnerEvaluation }
  | { type: 'failed'; error: string };
