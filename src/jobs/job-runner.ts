/**
 * A training job's process (started by RunnerProcess with child_process.fork): lowers its own CPU
 * priority, trains with the pipeline of `kensa train` (prepareTraining, packageMethod), writes the
 * package into the job's staging folder, evaluates the candidate and the active version on the
 * same material, and reports progress and the result over IPC. It exits when the server goes
 * away: nobody would take its model, and a restarted server starts clean.
 */
import type { InputSpec } from '../model/manifest.js';
import { scoreImages } from '../training/score-images.js';
import { packageMethod, prepareTraining } from '../training/train-product.js';
import { evaluationMetrics } from './evaluation.js';
import { lowerOwnPriority } from './priority.js';
import { trainingConfig } from './recipe.js';
import type { RunnerEvaluation, RunnerJob, RunnerReport, RunnerRequest } from './runner-protocol.js';

/** Each stage's share of the whole job, in order. */
const STAGES: Record<string, [start: number, end: number]> = {
  features: [0, 0.3],
  train: [0.3, 0.85],
  calibrate: [0.85, 0.9],
  evaluate: [0.9, 1],
};

lowerOwnPriority();
process.on('disconnect', () => process.exit(1));
process.once('message', (request: RunnerRequest) => {
  run(request.job).then(
    (evaluation) => finish({ type: 'succeeded', evaluation }),
    (error: unknown) => finish({ type: 'failed', error: error instanceof Error ? error.message : String(error) }),
  );
});

function report(message: RunnerReport): void {
  process.send?.(message);
}

function finish(message: RunnerReport): void {
  process.send?.(message, () => process.exit(0));
}

function progress(stage: string, message: string, fraction: number): void {
  const [start, end] = STAGES[stage] ?? [0, 1];
  report({ type: 'progress', stage, message, fraction, progress: start + (end - start) * fraction });
}

async function run(job: RunnerJob): Promise<RunnerEvaluation> {
  const config = {
    ...trainingConfig(job.recipe, job.trainingDir, job.modelsDir, job.session),
    onProgress: progress,
    onWarning: (message: string) => report({ type: 'warning', message }),
  };
  const prepared = await prepareTraining(config);
  const pkg = await packageMethod(prepared, job.recipe.method, { product: job.product, version: job.version, dir: job.packageDir });

  // The same images for both versions: the candidate's held-out good parts and the reviewed inspections.
  const good = [...prepared.validation.map((item) => item.path), ...job.reviewed.good];
  const files = [...good, ...job.reviewed.defect];
  const labels = files.map((_, i) => (i < good.length ? 0 : 1));
  /** Scores the material with a model; `share` is its part of the evaluate stage. */
  const evaluate = async (modelPath: string, input: InputSpec, threshold: number, share: [number, number]) => {
    const scored = await scoreImages(modelPath, files, input, {
      session: job.session,
      onProgress: (done, total) => progress('evaluate', `${done}/${total} validation images`, share[0] + (share[1] - share[0]) * (done / total)),
    });
    return evaluationMetrics(scored.images.map((image) => image.score), labels, threshold);
  };
  const metrics = await evaluate(pkg.modelPath, pkg.manifest.input, pkg.manifest.calibration.image.threshold, job.baseline ? [0, 0.5] : [0, 1]);
  const baselineMetrics = job.baseline ? await evaluate(job.baseline.modelPath, job.baseline.input, job.baseline.threshold.threshold, [0.5, 1]) : null;
  return {
    material: { heldOutGood: prepared.validation.length, reviewedGood: job.reviewed.good.length, reviewedDefect: job.reviewed.defect.length },
    metrics,
    baselineMetrics,
  };
}
