/**
 * A change to what decides the line (promotion, rollback, shadow mode, a threshold) asks why, in
 * a modal dialog: the reason is required and goes to the audit log. The dialog stays open with
 * the server's answer when the change is refused.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';

export interface ReasonDialogProps {
  open: boolean;
  title: string;
  /** What will happen, in a sentence or two. */
  children: ComponentChildren;
  confirmLabel: string;
  /** Resolves when done; a rejection's message is shown. */
  onConfirm(reason: string): Promise<void>;
  onClose(): void;
}

export function ReasonDialog({ open, title, children, confirmLabel, onConfirm, onClose }: ReasonDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      setReason('');
      setError(null);
      element.showModal();
    }
    if (!open && element.open) element.close();
  }, [open]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!reason.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      await onConfirm(reason.trim());
      onClose();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="reason-dialog" aria-labelledby={titleId} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <header class="dialog-header">
          <h2 id={titleId}>{title}</h2>
        </header>
        <div class="dialog-body">
          <div class="dialog-text">{children}</div>
          <label class="field">
            <span class="field-label">Reason (required, kept in the audit log)</span>
            <input type="text" name="reason" maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} autoFocus autoComplete="off" />
          </label>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <footer class="dialog-footer">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={!reason.trim() || busy}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        </footer>
      </form>
    </dialog>
  );
}
