/**
 * The review queue: the inspections the product's sampling policy put in front of QA (every NG,
 * scores near the threshold, a share of clear OK parts), in that order, each with why it is
 * there, a page at a time ("Load more" appends the next, so the rows already read stay put).
 * Reviewing one on its page takes it out; a false alarm or a confirmed OK part from here joins the
 * good set the next retrain learns from.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReviewQueue } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { DecisionBadge } from '../components/badges.js';
import { ProductSelect } from '../components/product-select.js';
import { ScoreBar } from '../components/score-bar.js';
import { formatCount, formatTime } from '../format.js';
import { Link, navigate } from '../routing/router.js';
import { useSession } from '../session/session-context.js';

const PAGE = 50;

const REASONS: Record<ReviewQueue['items'][number]['reason'], string> = {
  ng: 'NG call',
  'near-threshold': 'Near threshold',
  'ok-sample': 'OK sample',
};

export function ReviewQueuePage({ search }: { search: URLSearchParams }) {
  const { api } = useSession();
  const products = useLoad(() => api.products(), [api]);
  const product = search.get('product') ?? products.data?.[0]?.id ?? null;
  const queue = useLoad(() => (product ? api.reviewQueue(product, PAGE) : Promise.resolve(null)), [api, product]);
  const [more, setMore] = useState<{ items: ReviewQueue['items']; nextCursor: string | null; loading: boolean; error: Error | null } | null>(null);
  // a new first page (another product, a reload) starts the list again, and drops a later page
  // still on its way for the old one
  const firstPage = useRef(queue.data);
  useEffect(() => {
    firstPage.current = queue.data;
    setMore(null);
  }, [queue.data]);
  const items = [...(queue.data?.items ?? []), ...(more?.items ?? [])];
  const nextCursor = more ? more.nextCursor : (queue.data?.nextCursor ?? null);
  const loadMore = async () => {
    if (!product || !nextCursor) return;
    const shown = more?.items ?? [];
    const below = firstPage.current;
    setMore({ items: shown, nextCursor, loading: true, error: null });
    try {
      const page = await api.reviewQueue(product, PAGE, nextCursor);
      if (firstPage.current === below) setMore({ items: [...shown, ...page.items], nextCursor: page.nextCursor, loading: false, error: null });
    } catch (failure) {
      if (firstPage.current === below) setMore({ items: shown, nextCursor, loading: false, error: failure instanceof Error ? failure : new Error(String(failure)) });
    }
  };
  const error = products.error ?? queue.error ?? more?.error;

  return (
    <div class="page">
      <header class="page-header">
        <div>
          <h1>Review queue</h1>
          <p class="page-subtitle">
            {queue.data ? `${formatCount(queue.data.waiting)} waiting for ${queue.data.product}` : 'Sampled inspections waiting for a review'}: every NG first, then scores near
            the threshold, then a random share of clear OK parts
          </p>
        </div>
        <ProductSelect products={products.data} value={product} onChange={(id) => navigate(`/review-queue?${new URLSearchParams({ product: id })}`, { replace: true })} />
      </header>
      {error && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
      {queue.data && items.length === 0 && <p class="panel muted">Nothing waits for a review.</p>}
      {items.length > 0 && (
        <table class="inspection-table review-queue">
          <caption class="visually-hidden">Inspections waiting for a review, in the order to review them</caption>
          <thead>
            <tr>
              <th scope="col">Why</th>
              <th scope="col">Time</th>
              <th scope="col">Line</th>
              <th scope="col">Camera</th>
              <th scope="col">Decision</th>
              <th scope="col">Score</th>
            </tr>
          </thead>
          <tbody>
            {items.map(({ reason, why, inspection }) => (
              <tr key={inspection.id} class="inspection-row" data-id={inspection.id} data-reason={reason}>
                <td>
                  <span class={`queue-reason queue-reason-${reason}`}>{REASONS[reason]}</span>
                  <span class="muted small queue-why">{why}</span>
                </td>
                <td class="cell-time">
                  <Link class="row-link" to={`/inspections/${encodeURIComponent(inspection.id)}`}>
                    {formatTime(inspection.createdAt)}
                  </Link>
                </td>
                <td>{inspection.line ?? <span class="muted">–</span>}</td>
                <td>{inspection.camera ?? <span class="muted">–</span>}</td>
                <td>
                  <DecisionBadge decision={inspection.decision} />
                </td>
                <td>
                  <ScoreBar score={inspection.score} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <div class="list-actions">
          <button type="button" class="button" onClick={loadMore} disabled={more?.loading}>
            Load more
          </button>
        </div>
      )}
    </div>
  );
}
