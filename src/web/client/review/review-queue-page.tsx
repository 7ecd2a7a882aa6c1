/**
 * The review queue: the inspections the product's sampling policy put in front of QA (every NG,
 * scores near the threshold, a share of clear OK parts), in that order, each with why it is
 * there. Reviewing one on its page takes it out; a false alarm or a confirmed OK part from here
 * joins the good set the next retrain learns from.
 */
import type { ReviewQueue } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { DecisionBadge } from '../components/badges.js';
import { ScoreBar } from '../components/score-bar.js';
import { formatCount, formatTime } from '../format.js';
import { Link, navigate } from '../routing/router.js';
import { useSession } from '../session/session-context.js';

const PAGE = 100;

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
  const error = products.error ?? queue.error;

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
        <label class="field">
          <span class="field-label">Product</span>
          <select name="product" value={product ?? ''} onChange={(e) => navigate(`/review-queue?${new URLSearchParams({ product: e.currentTarget.value })}`, { replace: true })}>
            {(products.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
        </label>
      </header>
      {error && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
      {queue.data && queue.data.items.length === 0 && <p class="panel muted">Nothing waits for a review.</p>}
      {queue.data && queue.data.items.length > 0 && (
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
            {queue.data.items.map(({ reason, why, inspection }) => (
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
    </div>
  );
}
