/**
 * Retraining a product on a fresh set of good parts: the images (dropped, picked, or for admins
 * a folder on the server), the product and an optional version name, the method, whether QA's
 * good set joins in, and a few advanced knobs. The upload shows its progress; the server checks
 * the set before queuing the job and its refusal is shown as it words it. A queued job opens its
 * live page. Only trainer and admin keys are offered the form.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/kensa-api.js';
import { useLoad } from '../api/use-load.js';
import type { UploadProgress } from '../api/upload-with-progress.js';
import { FormField } from '../components/form-field.js';
import { ProgressBar } from '../components/progress-bar.js';
import { formatBytes } from '../format.js';
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { navigate } from '../routing/router.js';
import { canTrain } from '../session/roles.js';
import { useSession } from '../session/session-context.js';
import { DropZone } from './drop-zone.js';
import { DXMI_PRESETS, EMPTY_FORM, formProblems, METHODS, trainingRequest, type TrainingForm } from './training-form.js';
import { BackLink } from '../components/back-link.js';

type Source = 'upload' | 'folder';

const sameFile = (a: File, b: File) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

export function RetrainPage({ search }: { search: URLSearchParams }) {
  const { identity } = useSession();
  if (canTrain(identity)) return <RetrainForm search={search} />;
  return (
    <div class="page">
      <BackLink to="/models" label="Models" />
      <h1>Retrain</h1>
      <p class="role-note">
        <span class={`role role-${identity.role}`}>{identity.role}</span> Retraining needs a trainer or admin key.
      </p>
    </div>
  );
}

function RetrainForm({ search }: { search: URLSearchParams }) {
  const { api, identity } = useSession();
  const products = useLoad(() => api.products(), [api]);
  const models = useLoad(() => api.models(), [api]);
  const [form, setForm] = useState<TrainingForm>(() => ({ ...EMPTY_FORM, product: search.get('product') ?? '' }));
  const [source, setSource] = useState<Source>('upload');
  const [folder, setFolder] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [upload, setUpload] = useState<UploadProgress | null>(null);
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const [touched, setTouched] = useState(false);
  const uploadControl = useRef<AbortController | null>(null);
  const picker = useRef<HTMLInputElement>(null);

  const set = <K extends keyof TrainingForm>(key: K, value: TrainingForm[K]) => setForm((current) => ({ ...current, [key]: value }));
  const product = form.product.trim();
  const known = (products.data ?? []).find((p) => p.id === product);
  const active = (models.data ?? []).find((m) => m.product === product && m.active);
  const goodSet = useLoad(() => (known ? api.goodSet(product) : Promise.resolve(null)), [api, product, known?.id]);
  const problems = formProblems(form);
  const hasSource = source === 'upload' ? files.length > 0 : folder.trim() !== '';
  const ready = Object.keys(problems).length === 0 && hasSource && !sending;

  // leaving the page stops an upload nobody would see the end of
  useEffect(() => () => uploadControl.current?.abort(), []);
  useShortcuts({
    f: () => source === 'upload' && !sending && picker.current?.click(),
  });

  const chooseSource = (next: Source) => {
    setFailure(null);
    setSource(next);
  };
  const addFiles = (added: File[]) => {
    setFailure(null);
    setFiles((current) => [...current, ...added.filter((file) => !current.some((known) => sameFile(known, file)))]);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setTouched(true);
    if (!ready) return;
    setSending(true);
    setFailure(null);
    const request = trainingRequest(form);
    uploadControl.current = new AbortController();
    try {
      const job =
        source === 'folder'
          ? await api.startTrainingJobFromFolder(folder.trim(), request)
          : await api.startTrainingJob(files, request, setUpload, uploadControl.current.signal);
      navigate(`/training/${job.id}`);
    } catch (error) {
      if ((error as Error).name !== 'AbortError') setFailure(error as Error);
      setSending(false);
      setUpload(null);
    }
  };

  const methodDefault = active ? `As the active version (${active.method})` : 'kensa default (dxmi)';
  /** An empty option keeps the active version's setting, or kensa's default for a new product. */
  const keep = active ? 'as before' : 'default';
  /** A field's problem, once it was edited or a submit was tried. */
  const fieldError = (key: keyof TrainingForm) => ((touched || form[key] !== EMPTY_FORM[key]) && problems[key]) || null;
  // Only an admin's job puts a product's first model live by itself (see src/jobs/training-jobs.ts).
  const firstVersion = identity.role === 'admin' ? 'becomes active when training succeeds' : 'waits for an admin to activate it';
  const productHint =
    product && products.data
      ? known
        ? active
          ? `The new version is compared with the active version ${active.version}, then scores live traffic in shadow mode until an admin promotes it.`
          : `The product has no active version: the new one ${firstVersion}.`
        : `A new product: its first version ${firstVersion}.`
      : 'An existing product, or a new one.'

  return (
    <div class="page page-wide">
      <header class="page-header">
        <div>
          <BackLink to="/models" label="Models" />
          <h1>Retrain</h1>
          <p class="page-subtitle">Train a new model version on a fresh set of good parts: a new supplier, a new mould, new lighting.</p>
        </div>
      </header>
      <div class="retrain-layout">
        <form class="panel retrain-form" onSubmit={submit} noValidate aria-label="New training job">
          <section class="form-section" aria-labelledby="target-heading">
            <h2 id="target-heading">1. Product and version</h2>
            <div class="form-grid">
              <FormField label="Product" error={fieldError('product')} hint={productHint}>
                {(control) => (
                  <input {...control} type="text" name="product" list="known-products" value={form.product} onInput={(e) => set('product', e.currentTarget.value)} spellcheck={false} autoComplete="off" />
                )}
              </FormField>
              <datalist id="known-products">
                {(products.data ?? []).map((p) => (
                  <option key={p.id} value={p.id} />
                ))}
              </datalist>
              <FormField
                label={
                  <>
                    Version name <span class="muted">(optional)</span>
                  </>
                }
                error={fieldError('version')}
              >
                {(control) => (
                  <input {...control} type="text" name="version" value={form.version} onInput={(e) => set('version', e.currentTarget.value)} placeholder="default: the date and time" spellcheck={false} autoComplete="off" />
                )}
              </FormField>
            </div>
          </section>

          <section class="form-section" aria-labelledby="images-heading">
            <div class="panel-heading">
              <h2 id="images-heading">2. Good parts</h2>
              {identity.role === 'admin' && (
                <div class="segmented" role="group" aria-label="Where the images are">
                  <button type="button" aria-pressed={source === 'upload'} onClick={() => chooseSource('upload')} disabled={sending}>
                    Upload
                  </button>
                  <button type="button" aria-pressed={source === 'folder'} onClick={() => chooseSource('folder')} disabled={sending}>
                    Folder on the server
                  </button>
                </div>
              )}
            </div>
            {source === 'upload' ? (
              <DropZone files={files} onAdd={addFiles} onClear={() => setFiles([])} disabled={sending} pickerRef={picker} />
            ) : (
              <FormField label="Folder on the server" hint="An absolute path inside one of the server's allowed training roots.">
                {(control) => (
                  <input {...control} type="text" name="folder" value={folder} onInput={(e) => setFolder(e.currentTarget.value)} placeholder="/srv/kensa/training/flange-2025-03" spellcheck={false} />
                )}
              </FormField>
            )}
          </section>

          <section class="form-section" aria-labelledby="options-heading">
            <h2 id="options-heading">3. Training</h2>
            <div class="form-grid">
              <FormField label="Method">
                {(control) => (
                  <select {...control} name="method" value={form.method} onChange={(e) => set('method', e.currentTarget.value as TrainingForm['method'])}>
                    <option value="">{methodDefault}</option>
                    {METHODS.map((method) => (
                      <option key={method.id} value={method.id}>
                        {method.label}
                      </option>
                    ))}
                  </select>
                )}
              </FormField>
              <div class="good-set-choice">
                <label class="checkbox">
                  <input type="checkbox" name="includeGoodSet" checked={form.includeGoodSet} onChange={(e) => set('includeGoodSet', e.currentTarget.checked)} aria-describedby="good-set-hint" />
                  Include the good set
                </label>
                <span id="good-set-hint" class="field-hint">
                  {goodSet.data ? `${goodSet.data.items.length} image${goodSet.data.items.length === 1 ? '' : 's'} of parts QA reviewed as good` : 'Images of parts QA reviewed as good'}
                </span>
              </div>
            </div>
            <details class="advanced">
              <summary>Advanced options</summary>
              <div class="form-grid form-grid-4">
                <FormField label="Input size (px)" error={fieldError('inputSize')}>
                  {(control) => (
                    <input {...control} type="number" name="inputSize" min="32" max="1024" step="16" value={form.inputSize} placeholder={String(active?.input.size ?? 320)} onInput={(e) => set('inputSize', e.currentTarget.value)} />
                  )}
                </FormField>
                <FormField label="Held-out share" error={fieldError('validationFraction')}>
                  {(control) => (
                    <input {...control} type="number" name="validationFraction" min="0.05" max="0.5" step="0.05" value={form.validationFraction} placeholder={keep} onInput={(e) => set('validationFraction', e.currentTarget.value)} />
                  )}
                </FormField>
                <FormField label="Target false-call rate" error={fieldError('falseCallRate')}>
                  {(control) => (
                    <input {...control} type="number" name="falseCallRate" min="0.001" max="0.2" step="0.005" value={form.falseCallRate} placeholder={keep} onInput={(e) => set('falseCallRate', e.currentTarget.value)} />
                  )}
                </FormField>
                <FormField label="Seed" error={fieldError('seed')}>
                  {(control) => <input {...control} type="number" name="seed" min="0" step="1" value={form.seed} placeholder={keep} onInput={(e) => set('seed', e.currentTarget.value)} />}
                </FormField>
                {(form.method === 'dxmi' || (form.method === '' && (active?.method ?? 'dxmi') === 'dxmi')) && (
                  <FormField label="DxMI preset">
                    {(control) => (
                      <select {...control} name="dxmiPreset" value={form.dxmiPreset} onChange={(e) => set('dxmiPreset', e.currentTarget.value)}>
                        <option value="">{keep}</option>
                        {DXMI_PRESETS.map((preset) => (
                          <option key={preset} value={preset}>
                            {preset === 'fast' ? 'fast (CPU, minutes)' : 'paper (GPU)'}
                          </option>
                        ))}
                      </select>
                    )}
                  </FormField>
                )}
              </div>
            </details>
          </section>

          {failure && <Refusal error={failure} />}
          <div class="submit-row">
            <button type="submit" class="button button-primary" disabled={sending || (touched && !ready)}>
              {sending ? (source === 'upload' ? 'Uploading…' : 'Starting…') : 'Start training'}
            </button>
            {sending && upload && (
              <div class="upload-progress">
                <ProgressBar value={upload.loaded / upload.total} label="Upload" />
                <span class="muted small" role="status">
                  {upload.loaded < upload.total ? `${formatBytes(upload.loaded)} of ${formatBytes(upload.total)} sent` : 'Sent; the server is checking the images…'}
                </span>
              </div>
            )}
            {sending && source === 'upload' && (
              <button type="button" class="button" onClick={() => uploadControl.current?.abort()}>
                Stop upload
              </button>
            )}
            {!sending && touched && !hasSource && <span class="field-error">{source === 'upload' ? 'Choose or drop the images first.' : 'Enter the folder.'}</span>}
          </div>
        </form>
        <aside class="panel retrain-help" aria-labelledby="next-heading">
          <h2 id="next-heading">What happens next</h2>
          <ol class="steps-list">
            <li>The server checks the set: readable images, enough of them, one product. A file it cannot use is named.</li>
            <li>The job waits its turn (one per product) and trains in the background at low priority; inspections keep their speed.</li>
            <li>Part of the images is held out to calibrate the threshold and to compare the new version with the active one, together with the parts QA reviewed.</li>
            <li>The new version then scores live traffic in shadow mode, deciding nothing, so you can see where it would disagree.</li>
            <li>An admin promotes it, with a reason, when it is not worse. Rolling back is one step.</li>
          </ol>
        </aside>
      </div>
    </div>
  );
}

/** The server's refusal, as it words it: the title says what, the detail names the files. Scrolled into sight, as the form is long. */
function Refusal({ error }: { error: Error }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.scrollIntoView({ block: 'nearest' }), [error]);
  return (
    <div class="form-error refusal" role="alert" ref={box}>
      {error instanceof ApiError ? (
        <>
          <strong>{error.title}</strong>
          {error.detail && <p>{error.detail}</p>}
        </>
      ) : (
        <strong>{error.message}</strong>
      )}
    </div>
  );
}
