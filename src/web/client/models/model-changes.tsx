/**
 * The audit log's model changes (admins only): activations, rollbacks, shadow mode, thresholds;
 * each with who, when and the reason they gave.
 */
import type { AuditEntry } from '../api/types.js';
import { formatTime } from '../format.js';

const ACTIONS: Record<string, string> = {
  'model.activate': 'Activated',
  'model.rollback': 'Rolled back',
  'model.shadow.start': 'Shadow started',
  'model.shadow.stop': 'Shadow stopped',
  'model.threshold': 'Threshold set',
};

export const isModelChange = (entry: AuditEntry) => entry.action in ACTIONS;

/** What changed besides the target: the version replaced, or the threshold before and after. */
function change(entry: AuditEntry): string | null {
  const { detail } = entry;
  if (entry.action === 'model.threshold' && typeof detail.threshold === 'number') {
    const previous = typeof detail.previousThreshold === 'number' ? ` (was ${detail.previousThreshold.toPrecision(4)})` : '';
    return `${detail.threshold.toPrecision(4)}${previous}`;
  }
  const switched = entry.action === 'model.activate' || entry.action === 'model.rollback';
  return switched && typeof detail.previousVersion === 'string' ? `replacing ${detail.previousVersion}` : null;
}

export function ModelChanges({ entries }: { entries: AuditEntry[] }) {
  if (entries.length === 0) return <p class="muted small">No model changes yet.</p>;
  return (
    <ol class="change-list">
      {entries.map((entry) => {
        const what = change(entry);
        const reason = typeof entry.detail.reason === 'string' ? entry.detail.reason : null;
        return (
          <li key={entry.id} class={`change change-${entry.action.replaceAll('.', '-')}`}>
            <div class="change-head">
              <strong>{ACTIONS[entry.action]}</strong> <span class="mono">{entry.target}</span>
            </div>
            {what && <div class="small muted">{what}</div>}
            {reason && <q class="change-reason">{reason}</q>}
            <div class="small muted">
              {entry.actor ? <span title={`API key ${entry.actor.prefix}`}>{entry.actor.name || `key ${entry.actor.prefix}`}</span> : 'the server, automatically'} ·{' '}
              {formatTime(entry.at)}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
