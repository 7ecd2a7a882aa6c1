/**
 * Where a model version stands in its product's lifecycle: the active one decides; the shadow
 * one scores live traffic beside it; a candidate is newer than the active one and waits; an
 * earlier one was superseded and is a rollback target.
 */
import type { ModelSummary } from '../api/types.js';

export type VersionRole = 'active' | 'shadow' | 'candidate' | 'earlier';

const LABELS: Record<VersionRole, string> = { active: 'Active', shadow: 'Shadow', candidate: 'Candidate', earlier: 'Earlier' };

export function versionRole(model: ModelSummary, shadowVersion: string | null, active: ModelSummary | undefined): VersionRole {
  if (model.active) return 'active';
  if (model.version === shadowVersion) return 'shadow';
  return !active || model.createdAt > active.createdAt ? 'candidate' : 'earlier';
}

export function VersionRoleBadge({ role }: { role: VersionRole }) {
  return <span class={`badge badge-role-${role}`}>{LABELS[role]}</span>;
}
