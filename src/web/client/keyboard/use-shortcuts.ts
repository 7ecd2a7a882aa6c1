/**
 * Keyboard shortcuts. Components register a map from keys (KeyboardEvent.key: "j", "ArrowRight",
 * "?", "1") or two-key sequences ("g d") to actions; one document listener dispatches them.
 * Keys typed into a text field, a select or a note are left alone, and so are the arrow keys on
 * a slider and any key inside an open dialog; modifier combinations belong to the browser.
 */
import { useEffect, useRef } from 'preact/hooks';

export type Shortcuts = Record<string, (event: KeyboardEvent) => void>;

const registered = new Set<{ current: Shortcuts }>();
/** First key of a sequence, waiting for the second. */
let pending: string | null = null;
let pendingTimer: ReturnType<typeof setTimeout> | undefined;
const SEQUENCE_TIMEOUT_MS = 1500;

const TEXT_INPUTS = new Set(['text', 'search', 'number', 'password', 'email', 'url', 'tel', 'date', 'datetime-local', 'time', 'month', 'week']);
const SLIDER_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

/** Does the focused element use this key itself? */
function ownsKey(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  // a modal dialog (a reason being asked for) has the keyboard to itself
  if (target.closest('dialog[open]')) return true;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return TEXT_INPUTS.has(target.type) || (target.type === 'range' && SLIDER_KEYS.has(key));
  return false;
}

function dispatch(event: KeyboardEvent): void {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || ownsKey(event.target, event.key)) return;
  const combo = pending ? `${pending} ${event.key}` : event.key;
  const wasSequence = pending !== null;
  pending = null;
  clearTimeout(pendingTimer);
  for (const shortcuts of registered) {
    const action = shortcuts.current[combo];
    if (action) {
      event.preventDefault();
      action(event);
      return;
    }
  }
  const startsSequence = !wasSequence && [...registered].some((shortcuts) => Object.keys(shortcuts.current).some((name) => name.startsWith(`${event.key} `)));
  if (startsSequence) {
    pending = event.key;
    pendingTimer = setTimeout(() => (pending = null), SEQUENCE_TIMEOUT_MS);
  }
}

export function useShortcuts(shortcuts: Shortcuts): void {
  const current = useRef(shortcuts);
  current.current = shortcuts;
  useEffect(() => {
    if (registered.size === 0) document.addEventListener('keydown', dispatch);
    registered.add(current);
    return () => {
      registered.delete(current);
      if (registered.size === 0) document.removeEventListener('keydown', dispatch);
    };
  }, []);
}
