// A labelled form field: the label names only the control (htmlFor), the hint or the error is
// tied to it with aria-describedby, so screen readers and tests read "Team", not its options.
import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';

export function Field({ label, hint, error, children, className, after }: { label: string; hint?: string; error?: string; children: ReactElement<Record<string, unknown>>; className?: string; /** beside the control, e.g. a button */ after?: ReactNode }) {
  const id = useId();
  const noteId = `${id}-note`;
  const control = cloneElement(children, { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': error || hint ? noteId : undefined });
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {after ? (
        <span className="row field-with-after">
          {control}
          {after}
        </span>
      ) : (
        control
      )}
      {error ? (
        <span className="field-error" role="alert" id={noteId}>
          {error}
        </span>
      ) : (
        hint && (
          <span className="small muted" id={noteId}>
            {hint}
          </span>
        )
      )}
    </div>
  );
}
