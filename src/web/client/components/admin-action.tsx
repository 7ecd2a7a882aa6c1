/**
 * A button for a change only admins may make, which asks for a reason first. Other keys see the
 * button disabled, saying why, so the action is discoverable without being offered.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useSession } from '../session/session-context.js';
import { ReasonDialog } from './reason-dialog.js';

const ADMIN_ONLY = 'Needs an admin key';

interface AdminActionProps {
  label: string;
  /** Extra button classes, e.g. "button-primary". */
  class?: string;
  disabled?: boolean;
  /** Why the button is disabled for an admin, as a tooltip. */
  disabledReason?: string;
  dialogTitle: string;
  confirmLabel: string;
  /** What will happen, shown in the dialog. */
  children: ComponentChildren;
  onConfirm(reason: string): Promise<void>;
}

export function AdminAction({ label, class: className, disabled = false, disabledReason, dialogTitle, confirmLabel, children, onConfirm }: AdminActionProps) {
  const { identity } = useSession();
  const [open, setOpen] = useState(false);
  const isAdmin = identity.role === 'admin';
  const title = !isAdmin ? ADMIN_ONLY : disabled ? disabledReason : undefined;
  return (
    <>
      <button type="button" class={className ? `button ${className}` : 'button'} disabled={!isAdmin || disabled} title={title} onClick={() => setOpen(true)}>
        {label}
        {!isAdmin && <span class="visually-hidden"> ({ADMIN_ONLY.toLowerCase()})</span>}
      </button>
      {isAdmin && (
        <ReasonDialog open={open} title={dialogTitle} confirmLabel={confirmLabel} onConfirm={onConfirm} onClose={() => setOpen(false)}>
          {children}
        </ReasonDialog>
      )}
    </>
  );
}

/** The sentence a user without an admin key sees once on a page with admin actions, under their role. */
export function AdminOnlyNote({ children }: { children: ComponentChildren }) {
  const { identity } = useSession();
  if (identity.role === 'admin') return null;
  return (
    <p class="role-note">
      <span class={`role role-${identity.role}`}>{identity.role}</span> {children}
    </p>
  );
}
