/**
 * Signing in with an API key. The key is checked against the server (whoami) before anything is
 * shown, and camera keys are refused here with a reason: they may only post images. The key is
 * kept for this browser tab (sessionStorage), or on this PC when the user asks (localStorage) for
 * one shift at most.
 */
import { ApiError, KensaApi } from '../api/kensa-api.js';
import type { WhoAmI } from '../api/types.js';

const STORAGE_NAME = 'kensa.apiKey';
/**
 * How long "Keep me signed in on this PC" lasts: one shift, counted from sign-in and not extended
 * by use. Line PCs are shared and stay on around the clock; a key that lived while the UI was in
 * use would sign the next shift's verdicts with the previous engineer's key.
 */
const REMEMBER_FOR_MS = 12 * 3_600_000;

/** What localStorage holds under STORAGE_NAME. */
interface RememberedKey {
  key: string;
  expiresMs: number;
}

export interface Session {
  identity: WhoAmI;
  api: KensaApi;
}

/** A key that will not do, with the sentence to show. */
export class SignInRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInRefused';
  }
}

export async function signIn(key: string, onKeyRejected: () => void): Promise<Session> {
  const trimmed = key.trim();
  if (!trimmed) throw new SignInRefused('Enter an API key.');
  let identity: WhoAmI;
  try {
    // a refused key here is an answer to the sign-in, not the end of a session
    identity = await new KensaApi(trimmed).whoami();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw new SignInRefused('This API key is not valid: it is unknown, revoked or mistyped.');
    throw error;
  }
  if (identity.role === 'camera') {
    const which = identity.name ? `"${identity.name}"` : `Key ${identity.prefix}`;
    throw new SignInRefused(`${which} is a camera key: camera keys can only send images for inspection. Sign in with a QA, trainer or admin key.`);
  }
  return { identity, api: new KensaApi(trimmed, onKeyRejected) };
}

export function storedKey(): string | null {
  return window.sessionStorage.getItem(STORAGE_NAME) ?? rememberedKey();
}

export function storeKey(key: string, rememberOnThisPc: boolean): void {
  forgetKey();
  if (!rememberOnThisPc) window.sessionStorage.setItem(STORAGE_NAME, key.trim());
  else window.localStorage.setItem(STORAGE_NAME, JSON.stringify({ key: key.trim(), expiresMs: Date.now() + REMEMBER_FOR_MS } satisfies RememberedKey));
}

export function forgetKey(): void {
  window.sessionStorage.removeItem(STORAGE_NAME);
  window.localStorage.removeItem(STORAGE_NAME);
}

/** The key remembered on this PC while its shift lasts; an expired one, or one stored without an expiry by an older kensa, is dropped. */
function rememberedKey(): string | null {
  const stored = window.localStorage.getItem(STORAGE_NAME);
  if (stored === null) return null;
  let remembered: Partial<RememberedKey> | null = null;
  try {
    remembered = JSON.parse(stored) as Partial<RememberedKey> | null;
  } catch {
    // a bare key: stored before keys expired
  }
  if (typeof remembered?.key === 'string' && typeof remembered.expiresMs === 'number' && Date.now() < remembered.expiresMs) return remembered.key;
  window.localStorage.removeItem(STORAGE_NAME);
  return null;
}
