/**
 * Model versions per product: which one answers inspections now, which one scores in shadow
 * mode, how each was calibrated and validated, the training jobs, and (for admins) the log of
 * model changes. Retraining starts here.
 */
import { useEffect } from 'preact/hooks';
import { useLoad } from '../api/use-load.js';
import { AdminOnlyNote } from '../components/admin-action.js';
import { useShortcuts } from '../keyboard/use-shortcuts.js';
import { Link, navigate } from '../routing/router.js';
import { canTrain } from '../session/roles.js';
import { useSession } from '../session/session-context.js';
import { isModelChange, ModelChanges } from './model-changes.js';
import { ProductModels } from './product-models.js';
import { SinksPanel } from './sinks-panel.js';

const AUDIT_ENTRIES = 100;
const CHANGES_SHOWN = 12;

export function ModelsPage() {
  const { api, identity } = useSession();
  const isAdmin = identity.role === 'admin';
  const products = useLoad(() => api.products(), [api]);
  const models = useLoad(() => api.models(), [api]);
  const audit = useLoad(() => (isAdmin ? api.audit(AUDIT_ENTRIES) : Promise.resolve([])), [api, isAdmin]);
  const error = products.error ?? models.error;
  const reload = () => {
    products.reload();
    models.reload();
    audit.reload();
  };
  useShortcuts(canTrain(identity) ? { r: () => navigate('/training') } : {});
  // another admin may promote or roll back meanwhile: a return to the tab shows the present
  useEffect(() => {
    const refresh = () => document.visibilityState === 'visible' && reload();
    document.addEventListener('visibilitychange', refresh);
    return () => document.removeEventListener('visibilitychange', refresh);
  }, []);

  return (
    <div class="page page-wide">
      <header class="page-header">
        <div>
          <h1>Models</h1>
          <p class="page-subtitle">Versions per product, newest first: what decides now, what scores in shadow mode, and the training jobs.</p>
        </div>
        {canTrain(identity) && (
          <Link to="/training" class="button button-primary" aria-keyshortcuts="r">
            Retrain… <kbd>r</kbd>
          </Link>
        )}
      </header>
      <AdminOnlyNote>
        {canTrain(identity)
          ? 'You can retrain, follow and cancel your jobs, and compare versions. Promotion, rollback, shadow mode and thresholds need an admin key.'
          : 'You can follow jobs and compare versions. Retraining needs a trainer key; promotion, rollback, shadow mode and thresholds need an admin key.'}
      </AdminOnlyNote>
      {error && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
      <div class="models-layout">
        <div class="models-products">
          {products.data?.length === 0 && <p class="panel muted">No products yet. Retrain with a set of good parts to create the first one.</p>}
          {(products.data ?? []).map((product) => (
            <ProductModels key={product.id} product={product.id} versions={(models.data ?? []).filter((m) => m.product === product.id)} onChanged={reload} />
          ))}
        </div>
        <aside class="panel changes-panel" aria-labelledby="changes-heading">
          <h2 id="changes-heading">Model changes</h2>
          {isAdmin ? (
            <>
              {audit.error && (
                <p class="form-error" role="alert">
                  {audit.error.message}
                </p>
              )}
              {audit.data && <ModelChanges entries={audit.data.filter(isModelChange).slice(0, CHANGES_SHOWN)} />}
              <SinksPanel products={(products.data ?? []).map((product) => product.id)} />
            </>
          ) : (
            <p class="muted small">The audit log of activations, rollbacks, shadow mode and thresholds is shown to administrators.</p>
          )}
        </aside>
      </div>
    </div>
  );
}
