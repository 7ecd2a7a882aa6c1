/** "← Up" to the page above, also on the key u: a reviewer climbs back without the mouse. */
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { Link, navigate } from '../routing/router.js';

export function BackLink({ to, label }: { to: string; label: string }) {
  useShortcuts({ u: () => navigate(to) });
  return (
    <Link to={to} class="back-link" aria-keyshortcuts="u">
      ← {label}
    </Link>
  );
}
