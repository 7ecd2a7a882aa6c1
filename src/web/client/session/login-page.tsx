/** Sign-in with an API key of role qa, trainer or admin. */
import { useState } from 'preact/hooks';

interface LoginPageProps {
  /** Why the user is here again (a revoked key, an unreachable server). */
  notice: string | null;
  onSubmit(key: string, rememberOnThisPc: boolean): Promise<void>;
}

export function LoginPage({ notice, onSubmit }: LoginPageProps) {
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(notice);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(key, remember);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
      setBusy(false);
    }
  };

  return (
    <div class="login-screen">
      <form class="login-card" onSubmit={submit} noValidate>
        <div class="login-brand" aria-hidden="true">
          <span class="brand-mark" />
          kensa
        </div>
        <h1>Sign in to QA review</h1>
        <p class="muted">
          Use an API key with the <strong>qa</strong>, <strong>trainer</strong> or <strong>admin</strong> role. An administrator creates one with <code>kensa keys create --role qa</code> (or <code>--role trainer</code> to retrain).
        </p>
        <label class="field">
          <span class="field-label">API key</span>
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            spellcheck={false}
            placeholder="kensa_…"
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'sign-in-error' : undefined}
            autoFocus
          />
        </label>
        <label class="checkbox">
          <input type="checkbox" checked={remember} onChange={(event) => setRemember(event.currentTarget.checked)} />
          Keep me signed in on this PC
        </label>
        {error && (
          <p id="sign-in-error" class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? 'Checking the key…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
