/**
 * A small history router: the UI's pages are paths under /ui (the server answers every one of
 * them with the page), and query strings carry page state such as filters. Links are real
 * anchors, so middle-click, copy link and the browser's back button all work.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const BASE = '/ui';
const NAVIGATED = 'kensa:navigated';

export interface Location {
  /** The path inside the UI, e.g. "/inspections/01J...". */
  path: string;
  search: URLSearchParams;
  /** The history entry's state (set by `navigate`). */
  state: unknown;
}

function current(): Location {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : window.location.pathname;
  return { path: path === '' ? '/' : path, search: new URLSearchParams(window.location.search), state: window.history.state as unknown };
}

/** The browser URL of a path inside the UI. */
function href(to: string): string {
  return `${BASE}${to}`;
}

export function navigate(to: string, options: { replace?: boolean; state?: unknown } = {}): void {
  const url = href(to);
  if (options.replace) window.history.replaceState(options.state ?? null, '', url);
  else window.history.pushState(options.state ?? null, '', url);
  window.dispatchEvent(new Event(NAVIGATED));
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return location;
}

/** The `:name` segments of `pattern` in `path`, or null when the path does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const expected = pattern.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < expected.length; i++) {
    if (expected[i].startsWith(':')) params[expected[i].slice(1)] = decodeURIComponent(actual[i]);
    else if (expected[i] !== actual[i]) return null;
  }
  return params;
}

interface LinkProps {
  to: string;
  class?: string;
  children?: ComponentChildren;
  'aria-current'?: 'page';
  'aria-keyshortcuts'?: string;
}

/** An anchor that navigates inside the UI without reloading; modified clicks open a new tab as usual. */
export function Link({ to, ...rest }: LinkProps) {
  const follow = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...rest} href={href(to)} onClick={follow} />;
}
