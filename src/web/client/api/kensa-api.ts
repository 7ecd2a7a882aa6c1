/**
 * The inspection API as the UI calls it: the API key goes in the Authorization header, errors
 * come back as problem+json and are thrown as ApiError with the server's own wording.
 */
import { readEvents } from '../../../jobs/server-sent-events.js';
import type { InspectionFilter } from '../inspections/filters.js';
import { filterToSearch } from '../inspections/filters.js';
import { parseJobEvent, type JobEvent } from './job-events.js';
import type {
  Activation,
  AuditEntry,
  Comparison,
  DeadLetter,
  DriftEvent,
  Facets,
  GoodSetEntry,
  GoodSetList,
  GoodSetWaiting,
  HealthTrend,
  Inspection,
  InspectionList,
  InspectionQuality,
  Job,
  LegalHold,
  JobStatus,
  LineHealth,
  ModelSummary,
  Neighbors,
  Part,
  PartReviewVerdict,
  Product,
  RecipeOverrides,
  Review,
  ReviewQueue,
  ReviewVerdict,
  ShadowResults,
  ShadowStatus,
  Sink,
  Stats,
  ThresholdInForce,
  ThresholdRates,
  WhoAmI,
} from './types.js';
import { postWithProgress, type UploadProgress } from './upload-with-progress.js';

/** A field the server refused, by its path in the request (`body.settings.url`). */
export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: readonly FieldIssue[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

/** What a training job is asked to do, besides its images. */
export interface TrainingRequest extends RecipeOverrides {
  product: string;
  /** The version name to produce; the server names it by the time when absent. */
  version?: string;
  includeGoodSet: boolean;
}

const unreachable = () =>
  new ApiError(0, 'The server cannot be reached', 'Check the network connection of this PC; the page keeps working once the server answers again.');
/** URL path segments, each escaped. */
const segments = (...parts: string[]) => parts.map(encodeURIComponent).join('/');

export interface StatsQuery {
  product?: string;
  line?: string;
  from: string;
  to: string;
  bucket: 'minute' | 'hour' | 'day';
}

export type ExportFormat = 'csv' | 'json' | 'zip';

/** What an export covers: a lot, a part, or a time range (`from` and `to`), optionally of one product. */
export interface ExportSelection {
  lot?: string;
  part?: string;
  product?: string;
  from?: string;
  to?: string;
}

export class KensaApi {
  constructor(
    private readonly key: string,
    /** Called when the server no longer accepts the key (revoked during the shift). */
    private readonly onKeyRejected: () => void = () => {},
  ) {}

  whoami(): Promise<WhoAmI> {
    return this.json('/api/v1/whoami');
  }

  inspections(filter: InspectionFilter, cursor: string | null, limit: number): Promise<InspectionList> {
    const query = filterToSearch(filter);
    query.set('limit', String(limit));
    if (cursor) query.set('cursor', cursor);
    return this.json(`/api/v1/inspections?${query}`);
  }

  inspection(id: string): Promise<Inspection> {
    return this.json(`/api/v1/inspections/${encodeURIComponent(id)}`);
  }

  neighbors(id: string, filter: InspectionFilter): Promise<Neighbors> {
    return this.json(`/api/v1/inspection-neighbors/${encodeURIComponent(id)}?${filterToSearch(filter)}`);
  }

  review(id: string, verdict: ReviewVerdict, note: string): Promise<Review> {
    const body = note.trim() ? { verdict, note: note.trim() } : { verdict };
    return this.json(`/api/v1/inspections/${encodeURIComponent(id)}/review`, { method: 'POST', body });
  }

  /** A pass of a multi-view part (the latest unless `pass` is given); with `waitSeconds`, once it closes or that time has passed. */
  part(product: string, part: string, pass: number | null, waitSeconds = 0): Promise<Part> {
    const search = new URLSearchParams();
    if (pass !== null) search.set('pass', String(pass));
    if (waitSeconds > 0) search.set('wait', String(waitSeconds));
    return this.json(`/api/v1/parts/${segments(product, part)}?${search}`);
  }

  /** QA's verdict on the part as a whole, recorded on each of its views. */
  reviewPart(product: string, part: string, pass: number, verdict: PartReviewVerdict, note: string): Promise<Part> {
    const body = note.trim() ? { verdict, pass, note: note.trim() } : { verdict, pass };
    return this.json(`/api/v1/parts/${segments(product, part)}/review`, { method: 'POST', body });
  }

  /** Lots and parts on legal hold, newest first. */
  async legalHolds(): Promise<LegalHold[]> {
    return (await this.json<{ items: LegalHold[] }>('/api/v1/legal-holds')).items;
  }

  /** Admins: places (`held`) or lifts the hold on a lot or a part. */
  setLegalHold(kind: LegalHold['kind'], value: string, held: boolean, reason: string): Promise<LegalHold> {
    return this.json('/api/v1/legal-holds', { method: 'POST', body: { kind, value, held, reason } });
  }

  /** An export of the inspections `selection` names, and the file name the server gave it. */
  async exportFile(format: ExportFormat, selection: ExportSelection): Promise<{ blob: Blob; fileName: string }> {
    const search = new URLSearchParams(Object.entries(selection).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const response = await this.send(`/api/v1/exports/${format}?${search}`, {});
    // express quotes the name only when it must: attachment; filename=kensa-lot-L1.zip
    const fileName = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `kensa-export.${format}`;
    return { blob: await response.blob(), fileName };
  }

  facets(): Promise<Facets> {
    return this.json('/api/v1/inspection-facets');
  }

  async products(): Promise<Product[]> {
    return (await this.json<{ items: Product[] }>('/api/v1/products')).items;
  }

  async models(): Promise<ModelSummary[]> {
    return (await this.json<{ items: ModelSummary[] }>('/api/v1/models')).items;
  }

  lineHealth(product: string): Promise<LineHealth> {
    return this.json(`/api/v1/line-health?${new URLSearchParams({ product })}`);
  }

  async driftEvents(product: string, limit: number): Promise<DriftEvent[]> {
    return (await this.json<{ items: DriftEvent[] }>(`/api/v1/drift-events?${new URLSearchParams({ product, limit: String(limit) })}`)).items;
  }

  /** The OK-score and image-quality trend of one camera (or of every camera of the product with null). */
  healthTrend(product: string, line: string | null, camera: string | null, from: string, to: string): Promise<HealthTrend> {
    const search = new URLSearchParams({ product, from, to });
    if (line) search.set('line', line);
    if (camera) search.set('camera', camera);
    return this.json(`/api/v1/line-health/trend?${search}`);
  }

  inspectionQuality(id: string): Promise<InspectionQuality> {
    return this.json(`/api/v1/line-health/inspections/${encodeURIComponent(id)}`);
  }

  reviewQueue(product: string, limit: number, cursor: string | null = null): Promise<ReviewQueue> {
    const query = new URLSearchParams({ product, limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.json(`/api/v1/review-queue?${query}`);
  }

  goodSetWaiting(product: string): Promise<GoodSetWaiting> {
    return this.json(`/api/v1/products/${segments(product)}/good-set/waiting`);
  }

  stats(query: StatsQuery): Promise<Stats> {
    const search = new URLSearchParams({ from: query.from, to: query.to, bucket: query.bucket });
    if (query.product) search.set('product', query.product);
    if (query.line) search.set('line', query.line);
    return this.json(`/api/v1/stats?${search}`);
  }

  async jobs(query: { product?: string; status?: JobStatus; limit?: number } = {}): Promise<Job[]> {
    const search = new URLSearchParams();
    if (query.product) search.set('product', query.product);
    if (query.status) search.set('status', query.status);
    if (query.limit) search.set('limit', String(query.limit));
    return (await this.json<{ items: Job[] }>(`/api/v1/jobs?${search}`)).items;
  }

  job(id: string): Promise<Job> {
    return this.json(`/api/v1/jobs/${segments(id)}`);
  }

  cancelJob(id: string): Promise<Job> {
    return this.json(`/api/v1/jobs/${segments(id)}/cancel`, { method: 'POST', body: {} });
  }

  /** Uploads images and zips as a new training job, reporting the bytes sent as they go. */
  async startTrainingJob(files: readonly File[], request: TrainingRequest, onProgress: (progress: UploadProgress) => void, signal: AbortSignal): Promise<Job> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(request)) if (value !== undefined && value !== '') search.set(name, String(value));
    const form = new FormData();
    for (const file of files) form.append('images', file, file.name);
    let response: Response;
    try {
      response = await postWithProgress(`/api/v1/jobs?${search}`, this.authorization(), form, onProgress, signal);
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw unreachable();
    }
    return (await this.checked(response)).json() as Promise<Job>;
  }

  /** Admins: a training job on a folder of images on the server. */
  startTrainingJobFromFolder(folder: string, request: TrainingRequest): Promise<Job> {
    return this.json('/api/v1/jobs/from-folder', { method: 'POST', body: { ...request, folder } });
  }

  /** The job's events after event `after` (0: all of them), live until the job ends. */
  async *jobEvents(id: string, after: number, signal: AbortSignal): AsyncGenerator<JobEvent> {
    const response = await this.send(`/api/v1/jobs/${segments(id)}/events?after=${after}`, { signal });
    if (!response.body) return;
    for await (const event of readEvents(response.body)) {
      const parsed = parseJobEvent(event);
      if (parsed) yield parsed;
    }
  }

  comparison(product: string, version: string): Promise<Comparison> {
    return this.json(`/api/v1/models/${segments(product, version)}/comparison`);
  }

  shadow(product: string): Promise<ShadowStatus> {
    return this.json(`/api/v1/products/${segments(product)}/shadow`);
  }

  /** Admins: score live traffic with `version` beside the active one; null stops it. */
  setShadow(product: string, version: string | null, reason: string): Promise<ShadowStatus> {
    return this.json(`/api/v1/products/${segments(product)}/shadow`, { method: 'POST', body: { version, reason } });
  }

  shadowResults(product: string, version: string, query: { disagreements: boolean; before?: string | null; limit: number }): Promise<ShadowResults> {
    const search = new URLSearchParams({ disagreements: String(query.disagreements), limit: String(query.limit) });
    if (query.before) search.set('before', query.before);
    return this.json(`/api/v1/models/${segments(product, version)}/shadow-results?${search}`);
  }

  /** Admins: make a version the active one (a promotion, or a rollback to an earlier version). */
  activate(product: string, version: string, reason: string): Promise<Activation> {
    return this.json(`/api/v1/models/${segments(product, version)}/activate`, { method: 'POST', body: { reason } });
  }

  /** Admins: back to the version that was active before the current one. */
  rollback(product: string, reason: string): Promise<Activation> {
    return this.json(`/api/v1/models/${segments(product)}/rollback`, { method: 'POST', body: { reason } });
  }

  /** Expected rates at `thresholds`, or at the server's own choice of candidates. */
  thresholdRates(product: string, version: string, thresholds?: readonly number[]): Promise<ThresholdRates> {
    const search = thresholds ? `?${new URLSearchParams({ thresholds: thresholds.join(',') })}` : '';
    return this.json(`/api/v1/models/${segments(product, version)}/thresholds${search}`);
  }

  /** Admins: a new raw image threshold, or null for the calibrated one. */
  setThreshold(product: string, version: string, threshold: number | null, reason: string): Promise<ThresholdInForce> {
    return this.json(`/api/v1/models/${segments(product, version)}/threshold`, { method: 'POST', body: { threshold, reason } });
  }

  addToGoodSet(inspectionId: string): Promise<GoodSetEntry> {
    return this.json(`/api/v1/inspections/${segments(inspectionId)}/good-set`, { method: 'POST', body: {} });
  }

  goodSet(product: string): Promise<GoodSetList> {
    return this.json(`/api/v1/products/${segments(product)}/good-set`);
  }

  /** Admins: where results are sent, with their backlogs. */
  async sinks(): Promise<Sink[]> {
    return (await this.json<{ items: Sink[] }>('/api/v1/sinks')).items;
  }

  createSink(body: Record<string, unknown>): Promise<Sink> {
    return this.json('/api/v1/sinks', { method: 'POST', body });
  }

  /** Replaces a sink's configuration; secrets left out are kept by the server. */
  replaceSink(sinkId: number, body: Record<string, unknown>): Promise<Sink> {
    return this.json(`/api/v1/sinks/${sinkId}`, { method: 'POST', body });
  }

  async removeSink(sinkId: number, reason: string): Promise<void> {
    await this.send(`/api/v1/sinks/${sinkId}`, { method: 'DELETE', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason }) });
  }

  async deadLetters(sinkId: number): Promise<DeadLetter[]> {
    return (await this.json<{ items: DeadLetter[] }>(`/api/v1/sinks/${sinkId}/dead-letters`)).items;
  }

  /** Sends a test message; throws with the reason when the sink did not acknowledge it. */
  testSink(sinkId: number): Promise<{ delivered: true; ms: number }> {
    return this.json(`/api/v1/sinks/${sinkId}/test`, { method: 'POST', body: {} });
  }

  resendDeadLetters(sinkId: number, reason: string): Promise<{ resent: number }> {
    return this.json(`/api/v1/sinks/${sinkId}/dead-letters/resend`, { method: 'POST', body: { reason } });
  }

  /** Admins: the audit log, newest first. */
  async audit(limit: number): Promise<AuditEntry[]> {
    return (await this.json<{ items: AuditEntry[] }>(`/api/v1/audit?limit=${limit}`)).items;
  }

  /** A picture behind the key (an <img> cannot send the header). */
  async blob(path: string, signal?: AbortSignal): Promise<Blob> {
    return (await this.send(path, { signal })).blob();
  }

  private authorization(): Record<string, string> {
    return { authorization: `Bearer ${this.key}` };
  }

  private async json<T>(path: string, options: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
    const response = await this.send(path, {
      method: options.method ?? 'GET',
      headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return (await response.json()) as T;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), ...this.authorization() } });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw unreachable();
    }
    return this.checked(response);
  }

  private async checked(response: Response): Promise<Response> {
    if (response.ok) return response;
    const problem = await problemOf(response);
    if (response.status === 401) this.onKeyRejected();
    throw problem;
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { title?: unknown; detail?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? (body.errors as FieldIssue[]) : [];
    if (typeof body.title === 'string') return new ApiError(response.status, body.title, typeof body.detail === 'string' ? body.detail : '', errors);
  } catch {
    // not problem+json (a proxy's error page): fall through to the status line
  }
  return new ApiError(response.status, `The server answered ${response.status} ${response.statusText}`, '');
}
