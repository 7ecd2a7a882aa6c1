/**
 * Exports and legal holds beside what a page shows: downloads of the part's, the lot's or the
 * listed range's records (CSV, JSON, zip), and the hold state of each part and lot named, which
 * admins change here.
 */
import type { ExportSelection } from '../api/kensa-api.js';
import { useLoad } from '../api/use-load.js';
import { useSession } from '../session/session-context.js';
import { ExportButtons } from './export-buttons.js';
import { LegalHoldControl, type HoldTarget } from './legal-hold-control.js';

export interface ExportTarget {
  /** What it covers, e.g. "lot L-0314". */
  subject: string;
  selection: ExportSelection;
}

interface RecordsPanelProps {
  exports: readonly ExportTarget[];
  holds: readonly HoldTarget[];
  /** Said under the exports, e.g. which of the list's filters they do not apply. */
  note?: string;
  /** After a hold changed (the page's own badges may follow). */
  onHoldChanged?(): void;
}

export function RecordsPanel({ exports, holds, note, onHoldChanged }: RecordsPanelProps) {
  const { api } = useSession();
  const placed = useLoad(() => api.legalHolds(), [api]);
  if (exports.length === 0 && holds.length === 0) return null;
  const holdOf = (target: HoldTarget) => placed.data?.find((hold) => hold.kind === target.kind && hold.value === target.value) ?? null;
  const changed = () => {
    placed.reload();
    onHoldChanged?.();
  };
  return (
    <section class="panel records-panel" aria-label="Exports and legal holds">
      {exports.map((target) => (
        <div key={target.subject} class="records-row">
          <span class="field-label">Export {target.subject}</span>
          <ExportButtons selection={target.selection} subject={target.subject} />
        </div>
      ))}
      {note && <p class="muted small">{note}</p>}
      {placed.error && (
        <p class="form-error" role="alert">
          {placed.error.message}
        </p>
      )}
      {placed.data &&
        holds.map((target) => (
          <div key={`${target.kind}:${target.value}`} class="records-row">
            <span class="field-label">
              Legal hold on {target.kind} <span class="mono">{target.value}</span>
            </span>
            <LegalHoldControl target={target} hold={holdOf(target)} onChanged={changed} />
          </div>
        ))}
    </section>
  );
}
