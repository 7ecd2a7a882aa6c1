/**
 * The inspection API as the UI calls it: the API key goes in the Authorization header, errors
 * come back as problem+json and are thrown as ApiError with the server's own wording.
 */
import type { InspectionFilter } from '../inspections/filters.js';
import { filterToSearch } from '../inspections/filters.js';
import type { Facets, Inspection, InspectionList, ModelSummary, Neighbors, Product, Review, ReviewVerdict, Stats, WhoAmI } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }
}

export interface StatsQuery {
  product?: string;
  line?: string;
  from: string;
  to: string;
  bucket: 'minute' | 'hour' | 'day';
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

  facets(): Promise<Facets> {
    return this.json('/api/v1/inspection-facets');
  }

  async products(): Promise<Product[]> {
    return (await this.json<{ items: Product[] }>('/api/v1/products')).items;
  }

  async models(): Promise<ModelSummary[]> {
    return (await this.json<{ items: ModelSummary[] }>('/api/v1/models')).items;
  }

  stats(query: StatsQuery): Promise<Stats> {
    const search = new URLSearchParams({ from: query.from, to: query.to, bucket: query.bucket });
    if (query.product) search.set('product', query.product);
    if (query.line) search.set('line', query.line);
    return this.json(`/api/v1/stats?${search}`);
  }

  /** A picture behind the key (an <img> cannot send the header). */
  async blob(path: string, signal?: AbortSignal): Promise<Blob> {
    return (await this.send(path, { signal })).blob();
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
      response = await fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.key}` } });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'The server cannot be reached', 'Check the network connection of this PC; the page keeps working once the server answers again.');
    }
    if (response.ok) return response;
    const problem = await problemOf(response);
    if (response.status === 401) this.onKeyRejected();
    throw problem;
  }
}

async function problemOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { title?: unknown; detail?: unknown };
    if (typeof body.title === 'string') return new ApiError(response.status, body.title, typeof body.detail === 'string' ? body.detail : '');
  } catch {
    // not problem+json (a proxy's error page): fall through to the status line
  }
  return new ApiError(response.status, `The server answered ${response.status} ${response.statusText}`, '');
}
