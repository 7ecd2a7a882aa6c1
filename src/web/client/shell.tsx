/** The signed-in frame: top bar with navigation and the key in use, the page, the shortcut help. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { DashboardPage } from './dashboard/dashboard-page.js';
import { InspectionDetailPage } from './detail/inspection-detail-page.js';
import { InspectionsPage } from './inspections/inspections-page.js';
import { useShortcuts } from './keyboard/use-shortcuts.js';
import { ModelsPage } from './models/models-page.js';
import { PartPage } from './parts/part-page.js';
import { ReviewQueuePage } from './review/review-queue-page.js';
import { VERSION_VIEWS, VersionPage } from './models/version-page.js';
import { ShortcutHelp } from './components/shortcut-help.js';
import { Link, matchPath, navigate, useLocation, type Location } from './routing/router.js';
import { useSession } from './session/session-context.js';
import { JobPage } from './training/job-page.js';
import { RetrainPage } from './training/retrain-page.js';

const SECTIONS = [
  { path: '/inspections', label: 'Inspections' },
  { path: '/review-queue', label: 'Review queue' },
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/models', label: 'Models' },
] as const;

function page(location: Location): { title: string; section: string | null; element: JSX.Element } {
  const { path, search, state } = location;
  if (path === '/inspections') return { title: 'Inspections', section: '/inspections', element: <InspectionsPage search={search} state={state} /> };
  const detail = matchPath('/inspections/:id', path);
  if (detail) return { title: `Inspection ${detail.id}`, section: '/inspections', element: <InspectionDetailPage key={detail.id} id={detail.id} search={search} /> };
  const part = matchPath('/parts/:product/:part', path);
  if (part) {
    return { title: `Part ${part.part}`, section: '/inspections', element: <PartPage key={`${part.product}/${part.part}/${search.get('pass') ?? ''}`} product={part.product} part={part.part} search={search} /> };
  }
  if (path === '/review-queue') return { title: 'Review queue', section: '/review-queue', element: <ReviewQueuePage search={search} /> };
  if (path === '/dashboard') return { title: 'Dashboard', section: '/dashboard', element: <DashboardPage search={search} /> };
  if (path === '/models') return { title: 'Models', section: '/models', element: <ModelsPage /> };
  for (const view of VERSION_VIEWS) {
    const version = matchPath(`/models/:product/:version${view.suffix}`, path);
    if (version) {
      const { product, version: name } = version;
      return { title: `${product} ${name}`, section: '/models', element: <VersionPage key={`${product}/${name}`} product={product} version={name} view={view.id} /> };
    }
  }
  if (path === '/training') return { title: 'Retrain', section: '/models', element: <RetrainPage search={search} /> };
  const job = matchPath('/training/:id', path);
  if (job) return { title: `Training job ${job.id}`, section: '/models', element: <JobPage key={job.id} id={job.id} /> };
  return {
    title: 'Not found',
    section: null,
    element: (
      <div class="page">
        <h1>There is no page here</h1>
        <p>
          <Link to="/inspections">Go to the inspections</Link>
        </p>
      </div>
    ),
  };
}

export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const location = useLocation();
  const { identity } = useSession();
  const [helpOpen, setHelpOpen] = useState(false);
  useShortcuts({
    '?': () => setHelpOpen(true),
    'g i': () => navigate('/inspections'),
    'g d': () => navigate('/dashboard'),
    'g m': () => navigate('/models'),
  });
  useEffect(() => {
    if (location.path === '/') navigate('/inspections', { replace: true });
  }, [location.path]);
  const current = page(location);
  useEffect(() => {
    document.title = `${current.title} · kensa QA`;
  }, [current.title]);

  return (
    <div class="app">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <span class="brand">
          <span class="brand-mark" aria-hidden="true" />
          kensa <span class="brand-sub">QA</span>
        </span>
        <nav aria-label="Main" class="topnav">
          {SECTIONS.map((section) => (
            <Link key={section.path} to={section.path} class="topnav-link" aria-current={current.section === section.path ? 'page' : undefined}>
              {section.label}
            </Link>
          ))}
        </nav>
        <div class="topbar-end">
          <span class="identity" title={`API key ${identity.prefix}`}>
            <span class={`role role-${identity.role}`}>{identity.role}</span>
            {identity.name || identity.prefix}
          </span>
          <button type="button" class="button button-topbar" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
            Shortcuts <kbd>?</kbd>
          </button>
          <button type="button" class="button button-topbar" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {current.element}
      </main>
      <ShortcutHelp open={helpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}
