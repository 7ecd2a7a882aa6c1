/**
 * Training jobs: start one from uploaded images or zips (QA) or from a server folder (admins),
 * list and read them, follow one as server-sent events, cancel one. A request is checked before
 * the job is queued: bad uploads are refused at once with the reason.
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
import { problems } from '../problem.js';
import { defineRoute, type RouteSpec } from '../route.js';

const HEARTBEAT_MS = 15_000;

export function jobRoutes(context: ServerContext): RouteSpec[] {
  const { trainingJobs, jobStore, jobEvents, registry, config, goodSet } = context;
  const staging: StagingContext = {
    files: trainingJobs.files,
    goodSet,
    limits: { maxBytes: config.maxTrainingUploadBytes, maxImages: config.maxTrainingImages, maxPixels: Math.round(config.maxMegapixels * 1e6), maxImageBytes: config.maxUploadBytes },
  };
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
      message: record.message,
      queuePosition: record.status === 'queued' ? trainingJobs.queuePosition(record.id) : null,
      source: record.source,
      recipe: {
        basedOn: recipe.basedOn,
        method: recipe.method,
        backbone: recipe.features.backbone,
        input: { policy: recipe.input.policy, size: recipe.input.size },
        validationFraction: recipe.validationFraction,
        falseCallRate: recipe.falseCallRate,
        seed: recipe.seed,
      },
      warnings: record.warnings,
      error: record.error,
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
      access: { roles: ['qa'] },
      query: JobUploadQuery,
      upload: {
        description:
          'multipart/form-data with the images (PNG, JPEG, TIFF, WebP, BMP) and/or zip archives of them in the repeated field "images". ' +
          'Every file must be a readable image; at least 10 are needed.',
        contentTypes: ['multipart/form-data'],
      },
      responses: { 202: { description: 'The job, queued', schema: JobSchema }, ...refusals, 415: { description: 'Not multipart/form-data' } },
      async handle({ req, res, query, apiKey }) {
        const { product, version, includeGoodSet, ...overrides } = query;
        if (version) trainingJobs.assertVersionFree(product, version);
        await assertDiskSpace(config.dataDir, config.minFreeDiskBytes);
        const id = trainingJobs.newJobId();
        const staged = await stageUpload(req, res, { jobId: id, productId: product, includeGoodSet }, staging);
        return json(trainingJobs.enqueue({ id, productId: product, version, overrides, staged, actorKeyId: apiKey?.id ?? null }));
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
      responses: { 200: { description: 'An event stream', contentType: 'text/event-stream' }, 404: { description: 'No such job' } },
      handle({ req, res, params, query }) {
        find(params.id);
        const after = Number(req.get('last-event-id') ?? query.after ?? 0) || 0;
        res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
        res.flushHeaders();
        const heartbeat = setInterval(() => res.write(HEARTBEAT), HEARTBEAT_MS);
        let unsubscribe = () => {};
        const end = () => {
          clearInterval(heartbeat);
          unsubscribe();
          res.end();
        };
        const send = (event: JobEvent) => {
          if (res.writableEnded) return;
          res.write(formatEvent({ id: String(event.id), event: event.kind, data: JSON.stringify({ ...event.data, at: new Date(event.atMs).toISOString() }) }));
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
      access: { roles: ['qa'] },
      params: JobParams,
      responses: {
        200: { description: 'The job, cancelled', schema: JobSchema },
        404: { description: 'No such job' },
        409: { description: 'The job has ended, or is registering its model' },
      },
      async handle({ params }) {
        return json(await trainingJobs.cancel(params.id));
      },
    }),
  ];
}
