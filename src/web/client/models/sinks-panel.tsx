/**
 * The sinks results are sent to (admins only): each one's backlog and dead letters, a test
 * message, and re-sending the dead letters once the receiver is fixed. Sinks are created through
 * the API (README, "Connecting the line").
 */
import { useState } from 'preact/hooks';
import type { Sink } from '../api/types.js';
import { useLoad } from '../api/use-load.js';
import { AdminAction } from '../components/admin-action.js';
import { useSession } from '../session/session-context.js';

function scope(sink: Sink): string {
  return [sink.product, sink.line && `line ${sink.line}`, sink.camera && `camera ${sink.camera}`].filter(Boolean).join(' · ');
}

const FILTERS: Record<Sink['filter'], (sink: Sink) => string> = {
  ng: () => 'NG only',
  all: () => 'every result',
  sample: (sink) => `NG and ${Math.round(sink.okShare * 100)}% of OK`,
};

function SinkRow({ sink, onChanged }: { sink: Sink; onChanged(): void }) {
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
    <li class="change">
      <div class="change-head">
        <strong class="mono">{sink.name}</strong> <span class="muted">{sink.kind}</span>
      </div>
      <div class="small muted">
        {scope(sink)} · {FILTERS[sink.filter](sink)}
        {sink.withOverlay && ' · with overlay'}
      </div>
      <div class="small">
        {sink.pending} waiting · {sink.deadLetters} dead letter{sink.deadLetters === 1 ? '' : 's'}
      </div>
      <div class="button-row">
        <button type="button" class="button" onClick={() => void test()}>
          Send test
        </button>
        <AdminAction
          label="Re-send dead letters"
          disabled={sink.deadLetters === 0}
          disabledReason="No dead letters"
          dialogTitle={`Re-send the dead letters of ${sink.name}`}
          confirmLabel="Re-send"
          onConfirm={async (reason) => {
            const { resent } = await api.resendDeadLetters(sink.id, reason);
            setOutcome(`${resent} result${resent === 1 ? '' : 's'} back in the queue.`);
            onChanged();
          }}
        >
          {sink.deadLetters} result{sink.deadLetters === 1 ? '' : 's'} the receiver kept refusing go back into the queue, ahead of newer ones.
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

export function SinksPanel() {
  const { api } = useSession();
  const sinks = useLoad(() => api.sinks(), [api]);
  return (
    <section aria-labelledby="sinks-heading">
      <h2 id="sinks-heading">Result sinks</h2>
      {sinks.error && (
        <p class="form-error" role="alert">
          {sinks.error.message}
        </p>
      )}
      {sinks.data?.length === 0 && <p class="muted small">No sinks: results reach the line only as the answer to the camera. Admins add webhooks, MQTT brokers and folders through the API.</p>}
      {sinks.data && sinks.data.length > 0 && (
        <ul class="change-list">
          {sinks.data.map((sink) => (
            <SinkRow key={sink.id} sink={sink} onChanged={sinks.reload} />
          ))}
        </ul>
      )}
    </section>
  );
}
