/**
 * Signing in with an API key. The key is checked against the server (whoami) before anything is
 * shown, and camera keys are refused here with a reason: they may only post images. The key is
 * kept for this browser tab (sessionStorage), or on this PC when the user asks (localStorage).
 */
import { ApiError, KensaApi } from '../api/kensa-api.js';
import type { WhoAmI } from '../api/types.js';

const STORAGE_NAME = 'kensa.apiKey';

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
    throw new SignInRefused(`${which} is a camera key: camera keys can only send images for inspection. Sign in with a QA or admin key.`);
  }
  return { identity, api: new KensaApi(trimmed, onKeyRejected) };
}

export function storedKey(): string | null {
  return window.sessionStorage.getItem(STORAGE_NAME) ?? window.localStorage.getItem(STORAGE_NAME);
}

export function storeKey(key: string, rememberOnThisPc: boolean): void {
  forgetKey();
  (rememberOnThisPc ? window.localStorage : window.sessionStorage).setItem(STORAGE_NAME, key.trim());
}

export function forgetKey(): void {
  window.sessionStorage.removeItem(STORAGE_NAME);
  window.localStorage.removeItem(STORAGE_NAME);
}
