/**
 * One model version: where it stands (active, shadow, candidate, earlier), the admin actions
 * that move it (promote, roll back to it, shadow scoring on or off, each with a reason), and
 * three views: its comparison with the version it would replace, its shadow results, and its
 * threshold. The view is part of the path, so each can be linked to.
 */
import { useState } from 'preact/hooks';
import { useLoad } from '../api/use-load.js';
import { AdminAction, AdminOnlyNote } from '../components/admin-action.js';
import { formatInput, formatTime } from '../format.js';
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { Link, navigate } from '../routing/router.js';
import { useSession } from '../session/session-context.js';
import { ComparisonView } from './comparison-view.js';
import { ShadowView } from './shadow-view.js';
import { ThresholdView } from './threshold-view.js';
import { versionRole, VersionRoleBadge } from './version-role.js';
import { BackLink } from '../components/back-link.js';

export const VERSION_VIEWS = [
  { id: 'comparison', label: 'Comparison', key: 'c', suffix: '' },
  { id: 'shadow', label: 'Shadow mode', key: 's', suffix: '/shadow' },
  { id: 'threshold', label: 'Threshold', key: 't', suffix: '/threshold' },
] as const;
export type VersionView = (typeof VERSION_VIEWS)[number]['id'];

interface VersionPageProps {
  product: string;
  version: string;
  view: VersionView;
}

export function VersionPage({ product, version, view }: VersionPageProps) {
  const { api } = useSession();
  const [revision, setRevision] = useState(0);
  const models = useLoad(() => api.models(), [api, revision]);
  const shadow = useLoad(() => api.shadow(product), [api, product, revision]);
  const changed = () => setRevision((n) => n + 1);
  const base = `/models/${encodeURIComponent(product)}/${encodeURIComponent(version)}`;
  useShortcuts({
    ...Object.fromEntries(VERSION_VIEWS.map((v) => [v.key, () => navigate(`${base}${v.suffix}`)])),
  });

  const versions = (models.data ?? []).filter((model) => model.product === product);
  const model = versions.find((m) => m.version === version);
  const active = versions.find((m) => m.active);
  const shadowVersion = shadow.data?.shadowVersion ?? null;
  const role = model ? versionRole(model, shadowVersion, active) : null;
  const error = models.error ?? shadow.error;

  return (
    <div class="page page-wide">
      <header class="page-header version-header">
        <div>
          <BackLink to="/models" label="Models" />
          <h1 class="title-with-badge">
            <span>
              {product} <span class="muted">/</span> <span class="mono">{version}</span>
            </span>
            {role && <VersionRoleBadge role={role} />}
          </h1>
          {model && (
            <p class="page-subtitle">
              {model.method} on {model.backbone}, {formatInput(model.input)} · trained {formatTime(model.createdAt).slice(0, 16)} · active version:{' '}
              <span class="mono">{active?.version ?? 'none'}</span>
            </p>
          )}
        </div>
        {model && role && (
          <div class="header-actions">
            {role !== 'active' && (
              <AdminAction
                label={role === 'earlier' ? 'Roll back to this version…' : 'Promote to active…'}
                class="button-primary"
                dialogTitle={role === 'earlier' ? `Roll back ${product} to ${version}` : `Promote ${version}`}
                confirmLabel={role === 'earlier' ? 'Roll back' : 'Promote'}
                onConfirm={async (reason) => {
                  await api.activate(product, version, reason);
                  changed();
                }}
              >
                <p>
                  <strong class="mono">{version}</strong> becomes the active version of {product}
                  {active ? (
                    <>
                      , replacing <span class="mono">{active.version}</span>
                    </>
                  ) : null}
                  . It is loaded and warmed first, so no inspection fails; new inspections are decided by it from then on.
                  {role === 'shadow' && ' Shadow scoring stops.'}
                </p>
              </AdminAction>
            )}
            {role === 'shadow' ? (
              <AdminAction
                label="Stop shadow scoring…"
                dialogTitle={`Stop shadow scoring with ${version}`}
                confirmLabel="Stop shadow scoring"
                onConfirm={async (reason) => {
                  await api.setShadow(product, null, reason);
                  changed();
                }}
              >
                <p>Live images stop being scored by {version}. Its results so far are kept.</p>
              </AdminAction>
            ) : (
              role !== 'active' && (
                <AdminAction
                  label="Score in shadow mode…"
                  dialogTitle={`Score live traffic with ${version}`}
                  confirmLabel="Start shadow scoring"
                  onConfirm={async (reason) => {
                    await api.setShadow(product, version, reason);
                    changed();
                  }}
                >
                  <p>
                    {version} scores every live image of {product} beside the active version, deciding nothing; where they disagree is listed.
                    {shadowVersion && ` It replaces ${shadowVersion} in shadow mode.`}
                  </p>
                </AdminAction>
              )
            )}
          </div>
        )}
      </header>
      <AdminOnlyNote>You can compare versions and read shadow results. Promotion, rollback, shadow mode and thresholds need an admin key.</AdminOnlyNote>
      {error && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
      {models.data && !model && (
        <p class="form-error" role="alert">
          Product {product} has no model version {version}.
        </p>
      )}
      {model && role && (
        <>
          <nav class="view-tabs" aria-label="Version views">
            {VERSION_VIEWS.map((v) => (
              <Link key={v.id} to={`${base}${v.suffix}`} class="view-tab" aria-current={v.id === view ? 'page' : undefined} aria-keyshortcuts={v.key}>
                {v.label} <kbd>{v.key}</kbd>
              </Link>
            ))}
          </nav>
          {view === 'comparison' && <ComparisonView product={product} version={version} revision={revision} />}
          {view === 'shadow' && (
            <ShadowView product={product} version={version} role={role} activeVersion={active?.version ?? null} dropped={shadow.data?.dropped ?? null} revision={revision} />
          )}
          {view === 'threshold' && <ThresholdView product={product} version={version} role={role} revision={revision} />}
        </>
      )}
    </div>
  );
}
