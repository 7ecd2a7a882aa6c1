/**
 * The session gate: a stored key is checked again on load (it may have been revoked), the login
 * page shows until a QA or admin key is accepted, and a key the server stops accepting mid-shift
 * sends the user back to it with the reason.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { LoginPage } from './session/login-page.js';
import { forgetKey, signIn, SignInRefused, storedKey, storeKey, type Session } from './session/session.js';
import { SessionContext } from './session/session-context.js';
import { Shell } from './shell.js';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedKey() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const endSession = useCallback((reason: string | null) => {
    forgetKey();
    setSession(null);
    setNotice(reason);
  }, []);
  const keyRejected = useCallback(() => endSession('The server no longer accepts this API key (it may have been revoked). Sign in again.'), [endSession]);

  useEffect(() => {
    const key = storedKey();
    if (!key) return;
    signIn(key, keyRejected)
      .then(setSession, (error: Error) => {
        // a refused key is dropped; an unreachable server keeps it for the next reload
        if (error instanceof SignInRefused) forgetKey();
        setNotice(error.message);
      })
      .finally(() => setRestoring(false));
  }, [keyRejected]);

  const submit = async (key: string, rememberOnThisPc: boolean) => {
    const next = await signIn(key, keyRejected);
    storeKey(key, rememberOnThisPc);
    setNotice(null);
    setSession(next);
  };

  if (restoring) {
    return (
      <div class="splash" role="status">
        Signing in…
      </div>
    );
  }
  if (!session) return <LoginPage notice={notice} onSubmit={submit} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell onSignOut={() => endSession(null)} />
    </SessionContext.Provider>
  );
}
