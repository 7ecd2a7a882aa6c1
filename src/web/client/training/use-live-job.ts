/**
 * A training job as it happens: read once, then followed on its event stream (fetch-based, since
 * EventSource cannot send the API key). A dropped stream is resumed after the last event seen, so
 * nothing is missed or repeated; when the stream ends the job is read again for its final fields.
 * While the job waits in the queue its position is polled, since no event announces it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { JobEvent } from '../api/job-events.js';
import { ApiError } from '../api/kensa-api.js';
import type { Job } from '../api/types.js';
import { useSession } from '../session/session-context.js';
import { isFinished } from './job-status.js';

const RECONNECT_MS = 2000;
const QUEUE_POLL_MS = 3000;

export interface StageProgress {
  message: string;
  /** 0..1 of the stage. */
  fraction: number;
  startedAt: string;
  updatedAt: string;
}

export interface LiveJob {
  job: Job | null;
  /** The latest progress of each stage seen, by stage id. */
  stages: Record<string, StageProgress>;
  /** The stream is down and being resumed. */
  reconnecting: boolean;
  error: Error | null;
  /** Replace the job with a newer reading (after a cancel). */
  update(job: Job): void;
}

function applyEvent(job: Job, event: JobEvent): Job {
  switch (event.kind) {
    case 'status':
      return { ...job, status: event.status, progress: event.progress, error: event.error, modelVersion: event.modelVersion, queuePosition: event.status === 'queued' ? job.queuePosition : null };
    case 'progress':
      return { ...job, status: job.status === 'queued' ? 'running' : job.status, stage: event.stage, message: event.message, progress: event.progress };
    case 'warning':
      return job.warnings.includes(event.message) ? job : { ...job, warnings: [...job.warnings, event.message] };
  }
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  });

export function useLiveJob(id: string): LiveJob {
  const { api } = useSession();
  const [job, setJob] = useState<Job | null>(null);
  const [stages, setStages] = useState<Record<string, StageProgress>>({});
  const [reconnecting, setReconnecting] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    let lastEvent = 0;
    const follow = async () => {
      setJob(await api.job(id));
      while (!signal.aborted) {
        try {
          for await (const event of api.jobEvents(id, lastEvent, signal)) {
            lastEvent = event.id;
            setReconnecting(false);
            setJob((current) => current && applyEvent(current, event));
            if (event.kind === 'progress') {
              setStages((current) => ({
                ...current,
                [event.stage]: { message: event.message, fraction: event.fraction, startedAt: current[event.stage]?.startedAt ?? event.at, updatedAt: event.at },
              }));
            }
          }
          const final = await api.job(id);
          setJob(final);
          if (isFinished(final.status)) return;
        } catch (failure) {
          if (signal.aborted) return;
          // a job that is not there will not come back; anything else is worth resuming
          if (failure instanceof ApiError && failure.status === 404) throw failure;
          setReconnecting(true);
        }
        await pause(RECONNECT_MS, signal);
      }
    };
    follow().catch((failure: unknown) => {
      if (!signal.aborted) setError(failure instanceof Error ? failure : new Error(String(failure)));
    });
    return () => controller.abort();
  }, [api, id]);

  const queued = job?.status === 'queued';
  useEffect(() => {
    if (!queued) return;
    const timer = setInterval(() => {
      api.job(id).then(
        (latest) => setJob((current) => (current && current.status === 'queued' ? { ...current, queuePosition: latest.queuePosition } : current)),
        () => undefined,
      );
    }, QUEUE_POLL_MS);
    return () => clearInterval(timer);
  }, [api, id, queued]);

  return { job, stages, reconnecting, error, update: setJob };
}
