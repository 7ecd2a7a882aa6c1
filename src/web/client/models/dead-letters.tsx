/**
 * A sink's dead letters, oldest first: the results it kept refusing, each with its inspection,
 * how often it was tried and the last reason, so an admin can fix the receiver before re-sending.
 */
import { useLoad } from '../api/use-load.js';
import { formatTime } from '../format.js';
import { Link } from '../routing/router.js';
import { useSession } from '../session/session-context.js';

/** `generation` changes whenever the sink's backlog may have: the list is fetched again. */
export function DeadLetters({ sinkId, generation }: { sinkId: number; generation: string }) {
  const { api } = useSession();
  const letters = useLoad(() => api.deadLetters(sinkId), [api, sinkId, generation]);
  if (letters.error)
    return (
      <p class="form-error" role="alert">
        {letters.error.message}
      </p>
    );
  if (!letters.data) return <p class="small muted">Loading…</p>;
  return (
    <ul class="dead-letters small" aria-label="Dead letters">
      {letters.data.map((letter) => (
        <li key={letter.entry}>
          <Link to={`/inspections/${letter.inspectionId}`} class="mono">
            {letter.inspectionId}
          </Link>{' '}
          <span class="muted">
            queued {formatTime(letter.queuedAt)} · {letter.attempts} attempt{letter.attempts === 1 ? '' : 's'}
          </span>
          {letter.lastError && <div class="dead-letter-error">{letter.lastError}</div>}
        </li>
      ))}
    </ul>
  );
}
