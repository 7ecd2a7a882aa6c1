/**
 * On the Models page: how many reviewed good images (false alarms and confirmed OK parts, from the
 * review queue or added by a trainer) joined the good set since the active model was trained, and
 * the way to a retrain that learns them (its comparison with the active version follows the job).
 */
import { useLoad } from '../api/use-load.js';
import { formatCount, formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { canTrain } from '../session/roles.js';
import { useSession } from '../session/session-context.js';

export function GoodSetWaiting({ product }: { product: string }) {
  const { api, identity } = useSession();
  const waiting = useLoad(() => api.goodSetWaiting(product), [api, product]);
  if (!waiting.data) return null;
  const { waiting: count, since } = waiting.data;
  return (
    <span class="lifecycle-item good-set-waiting">
      <span class="lifecycle-label">Good set</span>
      <span>
        <strong class="num">{formatCount(count)}</strong> reviewed good {count === 1 ? 'image waits' : 'images wait'} for a retrain
        {since && <span class="muted small"> (added since {formatTime(since)})</span>}
        {count > 0 && canTrain(identity) && (
          <>
            {' '}
            <Link to={`/training?product=${encodeURIComponent(product)}`} class="small">
              retrain and compare
            </Link>
          </>
        )}
      </span>
    </span>
  );
}
