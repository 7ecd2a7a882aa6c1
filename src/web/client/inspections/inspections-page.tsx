/**
 * The inspections list: review queues, filters in the URL, newest first, in pages of 50. Paging
 * uses the API's cursors; the cursors of the newer pages ride in the history entry, so "Newer"
 * and the browser's back button agree.
 */
import { useMemo, useRef } from 'preact/hooks';
import { useLoad } from '../api/use-load.js';
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { navigate } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import { FilterBar } from './filter-bar.js';
import { ListRecords } from './list-records.js';
import { filterFromSearch, filterToSearch, type InspectionFilter } from './filters.js';
import { InspectionTable } from './inspection-table.js';
import { applyQueue, queueOf, QUEUES } from './queues.js';

const PAGE_SIZE = 50;

interface PageHistory {
  /** Cursors of the newer pages, oldest page last; '' is the first page. */
  newer: string[];
}

function listPath(query: string, cursor: string | null): string {
  const search = new URLSearchParams(query);
  if (cursor) search.set('cursor', cursor);
  const text = search.toString();
  return `/inspections${text ? `?${text}` : ''}`;
}

export function InspectionsPage({ search, state }: { search: URLSearchParams; state: unknown }) {
  const { api } = useSession();
  const query = filterToSearch(filterFromSearch(search)).toString();
  const filter = useMemo(() => filterFromSearch(new URLSearchParams(query)), [query]);
  const cursor = search.get('cursor');
  const newerPages = (state as PageHistory | null)?.newer ?? [];
  const page = useLoad(() => api.inspections(filter, cursor, PAGE_SIZE), [api, query, cursor]);
  const facets = useLoad(() => api.facets(), [api]);
  const table = useRef<HTMLTableElement>(null);

  const applyFilter = (next: InspectionFilter) => navigate(listPath(filterToSearch(next).toString(), null), { replace: true });
  const nextCursor = page.data?.nextCursor ?? null;
  const older = () => nextCursor && navigate(listPath(query, nextCursor), { state: { newer: [...newerPages, cursor ?? ''] } satisfies PageHistory });
  const newer = () => {
    if (!cursor) return;
    const previous = newerPages.at(-1) ?? '';
    navigate(listPath(query, previous || null), { state: { newer: newerPages.slice(0, -1) } satisfies PageHistory });
  };
  const moveFocus = (step: number) => {
    const links = [...(table.current?.querySelectorAll<HTMLAnchorElement>('a.row-link') ?? [])];
    if (links.length === 0) return;
    const at = links.findIndex((link) => link === document.activeElement);
    const target = at === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
    links[target].focus();
    links[target].closest('tr')?.scrollIntoView({ block: 'nearest' });
  };
  useShortcuts({
    j: () => moveFocus(1),
    ArrowDown: () => moveFocus(1),
    k: () => moveFocus(-1),
    ArrowUp: () => moveFocus(-1),
    n: older,
    p: newer,
    r: page.reload,
  });

  const activeQueue = queueOf(filter);
  const items = page.data?.items ?? [];
  const first = newerPages.length * PAGE_SIZE + 1;

  return (
    <div class="page page-wide">
      <header class="page-header">
        <div>
          <h1>Inspections</h1>
          <p class="page-subtitle">Newest first. Open one to see its heatmap and record a verdict.</p>
        </div>
        <div class="queue-tabs" role="group" aria-label="Review queues">
          {QUEUES.map((queue) => (
            <button
              key={queue.id}
              type="button"
              class="queue-tab"
              aria-pressed={activeQueue?.id === queue.id}
              onClick={() => applyFilter(applyQueue(filter, queue))}
            >
              {queue.label}
            </button>
          ))}
        </div>
      </header>
      <FilterBar filter={filter} facets={facets.data} onChange={applyFilter} />
      <ListRecords filter={filter} />
      <section class="panel list-panel" aria-labelledby="results-heading" aria-busy={page.loading}>
        <div class="list-toolbar">
          <h2 id="results-heading" class="list-count" aria-live="polite">
            {page.loading && !page.data
              ? 'Loading…'
              : items.length === 0
                ? 'No inspections match these filters'
                : `${first}–${first + items.length - 1}${nextCursor ? '' : ` of ${first + items.length - 1}`}`}
          </h2>
          <div class="list-actions">
            <button type="button" class="button" onClick={page.reload} aria-keyshortcuts="r">
              Refresh
            </button>
            <button type="button" class="button" onClick={newer} disabled={!cursor} aria-keyshortcuts="p">
              ← Newer
            </button>
            <button type="button" class="button" onClick={older} disabled={!nextCursor} aria-keyshortcuts="n">
              Older →
            </button>
          </div>
        </div>
        {page.error && (
          <p class="form-error" role="alert">
            {page.error.message}
          </p>
        )}
        {items.length > 0 && <InspectionTable items={items} queue={query} tableRef={table} />}
      </section>
    </div>
  );
}
