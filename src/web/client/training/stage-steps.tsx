/** The job's stages as a row of steps: done, in progress (with its latest message), or to come. */
import type { Job } from '../api/types.js';
import { formatDuration, formatPercent } from '../format.js';
import { STAGES } from './stages.js';
import type { StageProgress } from './use-live-job.js';

type StepState = 'done' | 'current' | 'pending' | 'stopped';

function stepStates(job: Job, stages: Record<string, StageProgress>): StepState[] {
  const reached = Math.max(
    STAGES.findIndex((stage) => stage.id === job.stage),
    ...STAGES.map((stage, i) => (stages[stage.id] ? i : -1)),
  );
  return STAGES.map((_, i) => {
    if (job.status === 'succeeded' || i < reached) return 'done';
    if (i === reached) return job.status === 'running' ? 'current' : 'stopped';
    return 'pending';
  });
}

export function StageSteps({ job, stages }: { job: Job; stages: Record<string, StageProgress> }) {
  const states = stepStates(job, stages);
  return (
    <ol class="stage-steps" aria-label="Stages">
      {STAGES.map((stage, i) => {
        const progress = stages[stage.id];
        const next = stages[STAGES[i + 1]?.id];
        const state = states[i];
        const took = progress && state === 'done' ? formatDuration(Date.parse(next?.startedAt ?? job.finishedAt ?? progress.updatedAt) - Date.parse(progress.startedAt)) : null;
        return (
          <li key={stage.id} class={`stage-step stage-step-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
            <span class="stage-marker" aria-hidden="true">
              {state === 'done' ? '✓' : i + 1}
            </span>
            <span class="stage-text">
              <span class="stage-label">
                {stage.label}
                <span class="visually-hidden">: {state === 'current' ? 'in progress' : state === 'stopped' ? 'stopped' : state}</span>
                {state === 'current' && progress && <span class="stage-fraction num"> {formatPercent(progress.fraction, 0)}</span>}
                {took && <span class="stage-took"> {took}</span>}
              </span>
              <span class="stage-message">{(state === 'current' || state === 'stopped') && progress ? progress.message : stage.description}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
