/**
 * A labelled form control with an optional hint and error below it. The label names the control
 * alone; the hint and error describe it (aria-describedby), so a screen reader reads the name
 * short and the help after it.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: 'true';
}

interface FormFieldProps {
  label: ComponentChildren;
  hint?: ComponentChildren;
  /** Shown instead of the hint. */
  error?: string | null;
  children(control: ControlProps): JSX.Element;
}

export function FormField({ label, hint, error, children }: FormFieldProps) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error || hint;
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {label}
      </label>
      {children({ id, 'aria-describedby': note ? noteId : undefined, 'aria-invalid': error ? 'true' : undefined })}
      {note && (
        <span id={noteId} class={error ? 'field-error' : 'field-hint'}>
          {note}
        </span>
      )}
    </div>
  );
}
