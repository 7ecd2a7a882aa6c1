/**
 * The sinks results are sent to (admins only): adding, editing and removing them, each one's
 * backlog and dead letters, a test message, and re-sending the dead letters once the receiver is
 * fixed.
 */
import { useState } from 'preact/hooks';
import type { Sink } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { AdminAction } from '../components/admin-action.js';
import { useSession } from '../session/session-context.js';
import { DeadLetters } from './dead-letters.js';
import { SinkDialog } from './sink-dialog.js';

function scope(sink: Sink): string {
  return [sink.product, sink.line && `line ${sink.line}`, sink.camera && `camera ${sink.camera}`].filter(Boolean).join(' · ');
}

const FILTERS: Record<Sink['filter'], (sink: Sink) => string> = {
  ng: () => 'NG only',
  all: () => 'every result',
  sample: (sink) => `NG and ${Math.round(sink.okShare * 100)}% of OK`,
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function SinkRow({ sink, onEdit, onChanged }: { sink: Sink; onEdit(): void; onChanged(): void }) {
  const { api } = useSession();
  const [outcome, setOutcome] = useState<string | null>(null);
  const test = async () => {
    setOutcome('Sending…');
    try {
      const { ms } = await api.testSink(sink.id);
      setOutcome(`Test message acknowledged in ${ms} ms.`);
    } catch (error) {
      setOutcome(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <li class="change" aria-label={`Sink ${sink.name}`}>
      <div class="change-head">
        <strong class="mono">{sink.name}</strong> <span class="muted">{sink.kind}</span>
      </div>
      <div class="small muted">
        {scope(sink)} · {FILTERS[sink.filter](sink)}
        {sink.withOverlay && ' · with overlay'}
      </div>
      <div class="small">
        {sink.pending} waiting · {plural(sink.deadLetters, 'dead letter')}
      </div>
      {sink.deadLetters > 0 && (
        <details class="dead-letters-details">
          <summary class="small">Show the dead letters</summary>
          <DeadLetters sinkId={sink.id} generation={sink.updatedAt + sink.deadLetters} />
        </details>
      )}
      <div class="button-row">
        <button type="button" class="button" onClick={() => void test()}>
          Send test
        </button>
        <button type="button" class="button" onClick={onEdit}>
          Edit
        </button>
        <AdminAction
          label="Re-send dead letters"
          disabled={sink.deadLetters === 0}
          disabledReason="No dead letters"
          dialogTitle={`Re-send the dead letters of ${sink.name}`}
          confirmLabel="Re-send"
          onConfirm={async (reason) => {
            const { resent } = await api.resendDeadLetters(sink.id, reason);
            setOutcome(`${plural(resent, 'result')} back in the queue.`);
            onChanged();
          }}
        >
          {plural(sink.deadLetters, 'result')} the receiver kept refusing go back into the queue, ahead of newer ones.
        </AdminAction>
        <AdminAction
          label="Remove"
          class="button-danger"
          dialogTitle={`Remove the sink ${sink.name}`}
          confirmLabel="Remove"
          onConfirm={async (reason) => {
            await api.removeSink(sink.id, reason);
            onChanged();
          }}
        >
          Results stop going to {sink.name}; the {plural(sink.pending, 'result')} waiting and its dead letters are dropped.
        </AdminAction>
      </div>
      {outcome && (
        <div class="small" role="status">
          {outcome}
        </div>
      )}
    </li>
  );
}

export function SinksPanel({ products }: { products: string[] }) {
  const { api } = useSession();
  const sinks = useLoad(() => api.sinks(), [api]);
  /** The sink the dialog edits: 'new' for a new one, null while closed. */
  const [editing, setEditing] = useState<Sink | 'new' | null>(null);
  return (
    <section aria-labelledby="sinks-heading">
      <div class="product-header sinks-header">
        <h2 id="sinks-heading">Result sinks</h2>
        <button type="button" class="button" onClick={() => setEditing('new')}>
          Add sink…
        </button>
      </div>
      {sinks.error && (
        <p class="form-error" role="alert">
          {sinks.error.message}
        </p>
      )}
      {sinks.data?.length === 0 && <p class="muted small">No sinks: results reach the line only as the answer to the camera. Add a webhook, an MQTT broker or a folder.</p>}
      {sinks.data && sinks.data.length > 0 && (
        <ul class="change-list">
          {sinks.data.map((sink) => (
            <SinkRow key={sink.id} sink={sink} onEdit={() => setEditing(sink)} onChanged={sinks.reload} />
          ))}
        </ul>
      )}
      <SinkDialog sink={editing === 'new' ? null : editing} open={editing !== null} products={products} onSaved={sinks.reload} onClose={() => setEditing(null)} />
    </section>
  );
}
