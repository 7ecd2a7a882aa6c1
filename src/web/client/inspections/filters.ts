/**
 * The inspection filters, kept in the page URL under the same names the API takes, so a link
 * shows the same list to a colleague and a reload keeps it. Values that are not valid are
 * dropped when the URL is read, never sent to the server.
 */
import { formatTime } from '../format.js';
import { REVIEW_STATE_LABELS } from '../verdicts.js';

export const REVIEW_FILTERS = ['unreviewed', 'reviewed', 'true_defect', 'false_alarm', 'missed_defect', 'ok'] as const;
export type ReviewFilter = (typeof REVIEW_FILTERS)[number];

export interface InspectionFilter {
  product?: string;
  line?: string;
  camera?: string;
  /** A part's id (serial), exactly. */
  part?: string;
  lot?: string;
  decision?: 'OK' | 'NG';
  review?: ReviewFilter;
  minScore?: number;
  maxScore?: number;
  /** ISO 8601, inclusive. */
  from?: string;
  /** ISO 8601, exclusive. */
  to?: string;
}

/** In URL order. */
const FILTER_KEYS = ['product', 'line', 'camera', 'part', 'lot', 'decision', 'review', 'minScore', 'maxScore', 'from', 'to'] as const satisfies readonly (keyof InspectionFilter)[];

export function filterFromSearch(search: URLSearchParams): InspectionFilter {
  const filter: InspectionFilter = {};
  const text = (name: string) => search.get(name)?.trim() || undefined;
  const score = (name: string) => {
    const value = text(name);
    const number = value === undefined ? NaN : Number(value);
    return number >= 0 && number <= 1 ? number : undefined;
  };
  const time = (name: string) => {
    const value = text(name);
    return value !== undefined && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
  };
  filter.product = text('product');
  filter.line = text('line');
  filter.camera = text('camera');
  filter.part = text('part');
  filter.lot = text('lot');
  const decision = text('decision');
  filter.decision = decision === 'OK' || decision === 'NG' ? decision : undefined;
  const review = text('review');
  filter.review = REVIEW_FILTERS.find((state) => state === review);
  filter.minScore = score('minScore');
  filter.maxScore = score('maxScore');
  filter.from = time('from');
  filter.to = time('to');
  return withoutEmpty(filter);
}

export function filterToSearch(filter: InspectionFilter): URLSearchParams {
  const search = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  return search;
}

export function isEmptyFilter(filter: InspectionFilter): boolean {
  return FILTER_KEYS.every((key) => filter[key] === undefined);
}

/** The filter with one field changed; an empty value removes the field. */
export function withField<K extends keyof InspectionFilter>(filter: InspectionFilter, key: K, value: InspectionFilter[K] | ''): InspectionFilter {
  return withoutEmpty({ ...filter, [key]: value === '' ? undefined : value });
}

/** The filter in a few words, e.g. "NG · Unreviewed · line L1". */
export function describeFilter(filter: InspectionFilter): string {
  const parts: string[] = [];
  if (filter.part) parts.push(`part ${filter.part}`);
  if (filter.lot) parts.push(`lot ${filter.lot}`);
  if (filter.product) parts.push(filter.product);
  if (filter.line) parts.push(`line ${filter.line}`);
  if (filter.camera) parts.push(`camera ${filter.camera}`);
  if (filter.decision) parts.push(filter.decision);
  if (filter.review) parts.push(filter.review === 'reviewed' ? 'Reviewed' : REVIEW_STATE_LABELS[filter.review]);
  if (filter.minScore !== undefined || filter.maxScore !== undefined) parts.push(`score ${filter.minScore ?? 0}–${filter.maxScore ?? 1}`);
  if (filter.from) parts.push(`from ${formatTime(filter.from)}`);
  if (filter.to) parts.push(`until ${formatTime(filter.to)}`);
  return parts.length ? parts.join(' · ') : 'All inspections';
}

function withoutEmpty(filter: InspectionFilter): InspectionFilter {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined && value !== '')) as InspectionFilter;
}
