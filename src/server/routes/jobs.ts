/**
 * Training jobs: start one from uploaded images or zips (trainers) or from a server folder
 * (admins), list and read them (QA), follow one as server-sent events, cancel one (the key that
 * started it, or an admin). A request is checked before the job is queued: bad uploads and a
 * full queue are refused at once with the reason.
 */
import { TrainingRecipeSchema } from '../../jobs/recipe.js';
import { HEARTBEAT, formatEvent } from '../../jobs/server-sent-events.js';
import { resolveTrainingFolder } from '../../jobs/server-folder.js';
import { stageFolder, stageUpload, type StagingContext } from '../../jobs/training-set.js';
import type { JobEvent } from '../../store/training-job-events.js';
import { FINAL_STATUSES, type JobStatus, type TrainingJobRecord } from '../../store/training-jobs.js';
import type { ServerContext } from '../context.js';
import { JobEventsQuery, JobFolderBody, JobListQuery, JobListSchema, JobParams, JobSchema, JobUploadQuery, type JobJson } from '../lifecycle-schemas.js';
import { assertDiskSpace } from '../disk-space.js';
import { EventStreams } from '../event-streams.js';
import { HttpProblem, problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';
import { withoutPaths } from '../without-paths.js';

export function jobRoutes(context: ServerContext): RouteSpec[] {
  const { trainingJobs, jobStore, jobEvents, registry, config, goodSet, keys } = context;
  const streams = new EventStreams(keys, { capacity: config.maxEventStreams, heartbeatMs: config.eventStreamHeartbeatMs });
  // Each upload streams to disk and its images are then checked (CPU): a bounded number at once.
  let uploading = 0;
  const staging: StagingContext = {
    files: trainingJobs.files,
    goodSet,
    limits: { maxBytes: config.maxTrainingUploadBytes, maxImages: config.maxTrainingImages, maxPixels: Math.round(config.maxMegapixels * 1e6), maxImageBytes: config.maxUploadBytes },
  };
  // Jobs stored before their texts were scrubbed on the way in may still name server paths: each text is scrubbed on the way out as well.
  const shown = (text: string) => withoutPaths(text, config.modelsDir);
  const shownData = (data: Record<string, unknown>) => Object.fromEntries(Object.entries(data).map(([name, value]) => [name, typeof value === 'string' ? shown(value) : value]));
  const find = (id: string) => {
    const record = jobStore.get(id);
    if (!record) throw problems.notFound(`There is no training job ${id}.`);
    return record;
  };
  const json = (record: TrainingJobRecord): JobJson => {
    const recipe = TrainingRecipeSchema.parse(record.config);
    const self = `/api/v1/jobs/${record.id}`;
    const modelVersion = record.modelVersionId === null ? null : (registry.version(record.modelVersionId)?.version ?? null);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id: record.id,
      product: record.productId,
      version: record.version,
      status: record.status,
      stage: record.stage,
      progress: record.progress,
      message: record.message === null ? null : shown(record.message),
      queuePosition: record.status === 'queued' ? trainingJobs.queuePosition(record.id) : null,
      source: record.source,
      recipe: {
        basedOn: recipe.basedOn,
        method: recipe.method,
        backbone: recipe.features.backbone,
        input: { policy: recipe.input.policy, size: recipe.input.size, ...(recipe.input.height ? { height: recipe.input.height } : {}) },
        validationFraction: recipe.validationFraction,
        falseCallRate: recipe.falseCallRate,
        seed: recipe.seed,
      },
      warnings: record.warnings.map(shown),
      error: record.error === null ? null : shown(record.error),
      modelVersion,
      createdBy: record.createdBy,
      createdAt: new Date(record.createdMs).toISOString(),
      startedAt: iso(record.startedMs),
      finishedAt: iso(record.finishedMs),
      links: {
        self,
        events: `${self}/events`,
        cancel: `${self}/cancel`,
        comparison: modelVersion ? `/api/v1/models/${record.productId}/${modelVersion}/comparison` : null,
      },
    };
  };
  const refusals = {
    400: { description: 'Invalid options, no images, or an unexpected form field' },
    409: { description: 'The version exists already' },
    429: { description: 'maxQueuedJobsPerProduct jobs of the product are queued' },
    413: { description: 'Too large: bytes, files, or a zip bomb' },
    422: { description: 'Not images, too few images, an empty, invalid or unsafe zip (entries escaping their folder)' },
    507: { description: "The data folder's disk has less free space than the floor kept for inspections" },
  };

  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/jobs',
      operationId: 'startTrainingJob',
      summary: "Start a training job on uploaded images of good parts (a new version of the product's model)",
      tag: 'training',
      access: { roles: ['trainer'] },
      query: JobUploadQuery,
      upload: {
        description:
          'multipart/form-data with the images (PNG, JPEG, TIFF, WebP, BMP) and/or zip archives of them in the repeated field "images". ' +
          'Every file must be a readable image; at least 10 are needed.',
        contentTypes: ['multipart/form-data'],
      },
      // Gigabytes over a slow link may take hours: only an upload that stops sending is cut.
      bodyDeadline: { kind: 'idle', ms: config.uploadIdleTimeoutMs, problem: problems.uploadStalled },
      responses: {
        202: { description: 'The job, queued', schema: JobSchema },
        ...refusals,
        408: { description: 'Nothing of the upload arrived for uploadIdleTimeoutMs (the connection is closed)' },
        415: { description: 'Not multipart/form-data' },
        503: { description: 'maxTrainingUploads uploads are in progress (with Retry-After)' },
      },
      async handle({ req, res, query, apiKey }) {
        if (uploading >= config.maxTrainingUploads) throw problems.tooManyUploads(config.maxTrainingUploads);
        uploading++;
        try {
          const { product, version, includeGoodSet, ...overrides } = query;
          if (version) trainingJobs.assertVersionFree(product, version);
          trainingJobs.assertQueueRoom(product);
          await assertDiskSpace(config.dataDir, config.minFreeDiskBytes);
          const id = trainingJobs.newJobId();
          const staged = await stageUpload(req, res, { jobId: id, productId: product, includeGoodSet }, staging);
          return json(trainingJobs.enqueue({ id, productId: product, version, overrides, staged, actorKeyId: apiKey?.id ?? null }));
        } finally {
          uploading--;
        }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/jobs/from-folder',
      operationId: 'startTrainingJobFromFolder',
      summary: 'Start a training job on a folder of good-part images on the server, inside an allowed training root',
      tag: 'training',
      access: 'admin',
      body: JobFolderBody,
      responses: {
        202: { description: 'The job, queued', schema: JobSchema },
        ...refusals,
        403: { description: 'Server folders are disabled, or the folder is outside the allowed roots' },
      },
      async handle({ body, apiKey }) {
        const { product, version, includeGoodSet, folder, ...overrides } = body;
        if (version) trainingJobs.assertVersionFree(product, version);
        trainingJobs.assertQueueRoom(product);
        await assertDiskSpace(config.dataDir, config.minFreeDiskBytes);
        const real = await resolveTrainingFolder(folder, config.trainingRoots);
        const id = trainingJobs.newJobId();
        const staged = await stageFolder(real, config.trainingRoots, { jobId: id, productId: product, includeGoodSet }, staging);
        return json(trainingJobs.enqueue({ id, productId: product, version, overrides, staged, actorKeyId: apiKey?.id ?? null }));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/jobs',
      operationId: 'listTrainingJobs',
      summary: 'Training jobs, newest first',
      tag: 'training',
      access: { roles: ['qa'] },
      query: JobListQuery,
      responses: { 200: { description: 'Jobs', schema: JobListSchema } },
      handle({ query }) {
        return { items: jobStore.list({ product: query.product, status: query.status }, query.limit).map(json) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/jobs/:id',
      operationId: 'getTrainingJob',
      summary: 'One training job',
      tag: 'training',
      access: { roles: ['qa'] },
      params: JobParams,
      responses: { 200: { description: 'The job', schema: JobSchema }, 404: { description: 'No such job' } },
      handle({ params }) {
        return json(find(params.id));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/jobs/:id/events',
      operationId: 'trainingJobEvents',
      summary:
        'The job\'s events as server-sent events: "status" {status, progress, error, modelVersion}, "progress" {stage, message, fraction, progress}, ' +
        '"warning" {message}; past events are replayed first (after Last-Event-ID or ?after=), the stream ends after the final status',
      tag: 'training',
      access: { roles: ['qa'] },
      params: JobParams,
      query: JobEventsQuery,
      responses: {
        200: { description: 'An event stream; it also ends when the API key is revoked', contentType: 'text/event-stream' },
        404: { description: 'No such job' },
        503: { description: 'maxEventStreams streams are open (with Retry-After)' },
      },
      handle({ req, res, params, query, apiKey }) {
        find(params.id);
        const after = Number(req.get('last-event-id') ?? query.after ?? 0) || 0;
        let unsubscribe = () => {};
        const end = () => {
          remove();
          unsubscribe();
          res.end();
        };
        const remove = streams.add({ keyId: apiKey?.id ?? null, heartbeat: () => res.write(HEARTBEAT), end });
        res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
        res.flushHeaders();
        const send = (event: JobEvent) => {
          if (res.writableEnded) return;
          res.write(formatEvent({ id: String(event.id), event: event.kind, data: JSON.stringify({ ...shownData(event.data), at: new Date(event.atMs).toISOString() }) }));
          if (event.kind === 'status' && FINAL_STATUSES.includes(event.data.status as JobStatus)) end();
        };
        // Replay and subscription happen in one synchronous step: no event can fall between them.
        for (const event of jobEvents.store.after(params.id, after)) send(event);
        if (res.writableEnded) return undefined;
        if (FINAL_STATUSES.includes(find(params.id).status)) {
          end();
          return undefined;
        }
        unsubscribe = jobEvents.subscribe(params.id, { onEvent: send, onShutdown: end });
        req.on('close', end);
        return undefined;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/jobs/:id/cancel',
      operationId: 'cancelTrainingJob',
      summary: 'Cancel a queued job, or stop a running one (its process is killed; nothing of it is kept)',
      tag: 'training',
      access: { roles: ['trainer'] },
      params: JobParams,
      responses: {
        200: { description: 'The job, cancelled', schema: JobSchema },
        403: { description: "A trainer key cancelling another key's job" },
        404: { description: 'No such job' },
        409: { description: 'The job has ended, or is registering its model' },
      },
      async handle({ params, apiKey }) {
        // A trainer stops its own work; stopping someone else's is an admin's call.
        if (apiKey && apiKey.role !== 'admin' && find(params.id).createdByKeyId !== apiKey.id) {
          throw new HttpProblem(403, 'not-own-job', 'Only the key that started a job, or an admin, may cancel it', `Job ${params.id} was started by another key; ask its owner or an admin to cancel it.`);
        }
        return json(await trainingJobs.cancel(params.id));
      },
    }),
  ];
}
