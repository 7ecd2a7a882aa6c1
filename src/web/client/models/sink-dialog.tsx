/**
 * Adding or editing a sink, in a modal dialog: scope (product, line, camera), which results
 * (NG only, all, or a sampled share of OK), and the kind's own settings. The server checks
 * everything; its refusal stays in the dialog, next to the fields it names.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/kensa-api.js';
import type { Sink } from '../api/types.js';
import { FormField } from '../components/form-field.js';
import { useSession } from '../session/session-context.js';
import { bodyOf, EMPTY_SINK_FORM, fieldOf, formOf, HeaderLineError, SINK_KIND_NAMES, type SinkField, type SinkForm } from './sink-form.js';

interface SinkDialogProps {
  /** The sink to edit; null: a new one. */
  sink: Sink | null;
  open: boolean;
  /** Products to suggest. */
  products: string[];
  onSaved(sink: Sink): void;
  onClose(): void;
}

const KIND_LABELS: Record<SinkForm['kind'], string> = { webhook: 'Webhook (HTTP POST)', mqtt: 'MQTT broker', folder: 'Folder' };

export function SinkDialog({ sink, open, products, onSaved, onClose }: SinkDialogProps) {
  const { api } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const productsId = useId();
  const [form, setForm] = useState<SinkForm>(EMPTY_SINK_FORM);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<SinkField, string>>>({});
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      setForm(sink ? formOf(sink) : EMPTY_SINK_FORM);
      setError(null);
      setFieldErrors({});
      element.showModal();
    }
    if (!open && element.open) element.close();
  }, [open, sink]);

  const set = <K extends SinkField>(key: K, value: SinkForm[K]) => setForm((previous) => ({ ...previous, [key]: value }));
  /** A text input bound to a field, with the server's complaint about it. */
  const textField = (key: SinkField, label: ComponentChildren, hint?: ComponentChildren, secret = false) => (
    <FormField label={label} hint={hint} error={fieldErrors[key]}>
      {(control) => {
        const props = { ...control, name: key, value: form[key] as string, onInput: (e: { currentTarget: HTMLInputElement }) => set(key, e.currentTarget.value), spellcheck: false };
        // a browser must not offer the admin's own saved password for a receiver's secret
        return secret ? <input {...props} type="password" autoComplete="new-password" /> : <input {...props} type="text" autoComplete="off" />;
      }}
    </FormField>
  );
  const secretHint = (name: string) => (sink?.kind === form.kind && sink.secretsSet.includes(name) ? 'Set; leave empty to keep it.' : undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setError(null);
    setFieldErrors({});
    let body: Record<string, unknown>;
    try {
      body = bodyOf(form);
    } catch (failure) {
      if (!(failure instanceof HeaderLineError)) throw failure;
      setFieldErrors({ headers: failure.message });
      return;
    }
    setBusy(true);
    try {
      onSaved(sink ? await api.replaceSink(sink.id, body) : await api.createSink(body));
      onClose();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      if (failure instanceof ApiError) {
        const named: Partial<Record<SinkField, string>> = {};
        for (const issue of failure.errors) {
          const field = fieldOf(issue.path);
          if (field) named[field] ??= issue.message;
        }
        setFieldErrors(named);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="reason-dialog sink-dialog" aria-labelledby={titleId} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <header class="dialog-header">
          <h2 id={titleId}>{sink ? `Edit sink ${sink.name}` : 'Add a sink'}</h2>
        </header>
        <div class="dialog-body">
          <div class="form-grid">
            {textField('name', 'Name', 'Unique; the label of its metrics.')}
            <FormField label="Kind" hint={sink ? 'Changing the kind asks for its secrets again.' : undefined}>
              {(control) => (
                <select {...control} name="kind" value={form.kind} onChange={(e) => set('kind', e.currentTarget.value as SinkForm['kind'])}>
                  {SINK_KIND_NAMES.map((kind) => (
                    <option key={kind} value={kind}>
                      {KIND_LABELS[kind]}
                    </option>
                  ))}
                </select>
              )}
            </FormField>
            <FormField label="Product" error={fieldErrors.product}>
              {(control) => (
                <input {...control} type="text" name="product" list={productsId} value={form.product} onInput={(e) => set('product', e.currentTarget.value)} spellcheck={false} autoComplete="off" />
              )}
            </FormField>
            <datalist id={productsId}>
              {products.map((product) => (
                <option key={product} value={product} />
              ))}
            </datalist>
            <FormField label="Results sent">
              {(control) => (
                <select {...control} name="filter" value={form.filter} onChange={(e) => set('filter', e.currentTarget.value as SinkForm['filter'])}>
                  <option value="ng">NG only</option>
                  <option value="all">All</option>
                  <option value="sample">NG and a share of OK</option>
                </select>
              )}
            </FormField>
            {textField('line', 'Line', 'Empty: every line.')}
            {textField('camera', 'Camera', 'Empty: every camera.')}
            {form.filter === 'sample' && textField('okShare', 'Share of OK sent (%)')}
            {textField('deadLetterAfterMs', 'Dead letter after (minutes)', 'A result still undelivered this long is set aside for re-sending by hand.')}
            <label class="checkbox">
              <input type="checkbox" name="withOverlay" checked={form.withOverlay} onChange={(e) => set('withOverlay', e.currentTarget.checked)} />
              Send the overlay picture too
            </label>
          </div>
          <fieldset class="sink-settings">
            <legend>{KIND_LABELS[form.kind]}</legend>
            {form.kind === 'webhook' && (
              <div class="form-grid">
                {textField('url', 'URL', 'http:// or https://; a 2xx answer counts as delivered.')}
                {textField('secret', 'Signing secret', secretHint('secret') ?? 'At least 16 characters; signs each request (HMAC-SHA256).', true)}
                {textField('timeoutMs', 'Timeout (ms)')}
                <FormField label="Extra headers" hint="One per line: Name: value" error={fieldErrors.headers}>
                  {(control) => <textarea {...control} name="headers" rows={2} value={form.headers} onInput={(e) => set('headers', e.currentTarget.value)} spellcheck={false} />}
                </FormField>
              </div>
            )}
            {form.kind === 'mqtt' && (
              <div class="form-grid">
                {textField('url', 'Broker URL', 'mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://')}
                {textField('topic', 'Topic', '{product}, {line} and {camera} are replaced. Published with QoS 1.')}
                {textField('username', 'User name')}
                {textField('password', 'Password', secretHint('password'), true)}
                {textField('timeoutMs', 'Timeout (ms)')}
                <label class="checkbox">
                  <input type="checkbox" name="retain" checked={form.retain} onChange={(e) => set('retain', e.currentTarget.checked)} />
                  Retain the last result on its topic
                </label>
                <p class="field-hint">A private CA, TLS verification and the client id are set through the API; editing here keeps them.</p>
              </div>
            )}
            {form.kind === 'folder' && textField('path', 'Folder on the server', "An absolute path on kensa's host (a mounted share); created when missing.")}
          </fieldset>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <footer class="dialog-footer">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Saving…' : sink ? 'Save' : 'Add sink'}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
