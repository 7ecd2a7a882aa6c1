/** The inspection filters as labelled form controls; every change goes straight to the URL. */
import type { Facets } from '../api/types.js';
import { fromLocalInput, toLocalInput } from '../format.js';
import { REVIEW_STATE_LABELS } from '../verdicts.js';
import { isEmptyFilter, REVIEW_FILTERS, withField, type InspectionFilter, type ReviewFilter } from './filters.js';

interface FilterBarProps {
  filter: InspectionFilter;
  facets: Facets | null;
  onChange(filter: InspectionFilter): void;
}

const REVIEW_FILTER_LABELS: Record<ReviewFilter, string> = { ...REVIEW_STATE_LABELS, reviewed: 'Reviewed (any)' };

/** Distinct values, sorted, with the current one kept even if no recent inspection has it. */
function options(values: (string | null)[], current: string | undefined): string[] {
  const set = new Set(values.filter((value): value is string => value !== null));
  if (current) set.add(current);
  return [...set].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
}

export function FilterBar({ filter, facets, onChange }: FilterBarProps) {
  const set = <K extends keyof InspectionFilter>(key: K, value: InspectionFilter[K] | '') => onChange(withField(filter, key, value));
  const combinations = facets?.combinations ?? [];
  const inProduct = combinations.filter((c) => !filter.product || c.product === filter.product);
  const products = options([...(facets?.products ?? []), ...combinations.map((c) => c.product)], filter.product);
  const lines = options(inProduct.map((c) => c.line), filter.line);
  const cameras = options(inProduct.filter((c) => !filter.line || c.line === filter.line).map((c) => c.camera), filter.camera);
  const score = (value: string) => (value === '' ? '' : Math.min(1, Math.max(0, Number(value))));

  return (
    <form class="filter-bar" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
      {/* a returned part or a recalled lot: typed or scanned, searched when the field is left or Enter is pressed */}
      <label class="field">
        <span class="field-label">Serial</span>
        <input type="search" name="part" class="search-input" placeholder="Part id" maxLength={64} value={filter.part ?? ''} onChange={(e) => set('part', e.currentTarget.value.trim())} />
      </label>
      <label class="field">
        <span class="field-label">Lot</span>
        <input type="search" name="lot" class="search-input" placeholder="Lot" maxLength={64} value={filter.lot ?? ''} onChange={(e) => set('lot', e.currentTarget.value.trim())} />
      </label>
      <label class="field">
        <span class="field-label">Product</span>
        <select name="product" value={filter.product ?? ''} onChange={(e) => set('product', e.currentTarget.value)}>
          <option value="">All</option>
          {products.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span class="field-label">Line</span>
        <select name="line" value={filter.line ?? ''} onChange={(e) => set('line', e.currentTarget.value)}>
          <option value="">All</option>
          {lines.map((line) => (
            <option key={line} value={line}>
              {line}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span class="field-label">Camera</span>
        <select name="camera" value={filter.camera ?? ''} onChange={(e) => set('camera', e.currentTarget.value)}>
          <option value="">All</option>
          {cameras.map((camera) => (
            <option key={camera} value={camera}>
              {camera}
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        <span class="field-label">Decision</span>
        <select name="decision" value={filter.decision ?? ''} onChange={(e) => set('decision', e.currentTarget.value as 'OK' | 'NG' | '')}>
          <option value="">All</option>
          <option value="NG">NG</option>
          <option value="OK">OK</option>
        </select>
      </label>
      <label class="field">
        <span class="field-label">Review</span>
        <select name="review" value={filter.review ?? ''} onChange={(e) => set('review', e.currentTarget.value as ReviewFilter | '')}>
          <option value="">All</option>
          {REVIEW_FILTERS.map((state) => (
            <option key={state} value={state}>
              {REVIEW_FILTER_LABELS[state]}
            </option>
          ))}
        </select>
      </label>
      <div class="field" role="group" aria-labelledby="filter-score-label">
        <span class="field-label" id="filter-score-label">
          Score
        </span>
        <span class="range-inputs">
          <input
            type="number"
            name="minScore"
            aria-label="Lowest score"
            min="0"
            max="1"
            step="0.05"
            placeholder="0"
            value={filter.minScore ?? ''}
            onChange={(e) => set('minScore', score(e.currentTarget.value))}
          />
          <span aria-hidden="true">–</span>
          <input
            type="number"
            name="maxScore"
            aria-label="Highest score"
            min="0"
            max="1"
            step="0.05"
            placeholder="1"
            value={filter.maxScore ?? ''}
            onChange={(e) => set('maxScore', score(e.currentTarget.value))}
          />
        </span>
      </div>
      <div class="field" role="group" aria-labelledby="filter-time-label">
        <span class="field-label" id="filter-time-label">
          Time
        </span>
        <span class="range-inputs">
          <input type="datetime-local" name="from" aria-label="From" value={toLocalInput(filter.from)} onChange={(e) => set('from', fromLocalInput(e.currentTarget.value) ?? '')} />
          <span aria-hidden="true">–</span>
          <input type="datetime-local" name="to" aria-label="Until" value={toLocalInput(filter.to)} onChange={(e) => set('to', fromLocalInput(e.currentTarget.value) ?? '')} />
        </span>
      </div>
      <button type="button" class="button button-quiet filter-clear" title="Clear all filters" disabled={isEmptyFilter(filter)} onClick={() => onChange({})}>
        Clear
      </button>
    </form>
  );
}
