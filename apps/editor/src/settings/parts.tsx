// Small pieces the settings forms share: a labelled select, saving with busy and the server's
// error, the form's closing row and the team choices.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Team } from './api';
import { Field } from './Field';

/** A labelled select over fixed choices (the label names the control; hint or error under it). */
export function SelectField<V extends string>({ label, name, value, options, onChange, hint, error }: {
  label: string;
  name: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onChange: (value: V) => void;
  hint?: string;
  error?: string;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value as V)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Saving a form: `busy` while it runs, the server's refusal in `error` (cleared on the next try). */
export function useSave() {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function run(save: () => Promise<void>) {
    setError(null);
    setBusy(true);
    try {
      await save();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, run };
}

/** A form's general error (if any), then its submit and close buttons. */
export function FormActions({ general, busy, submitLabel, closeLabel, onClose }: { general: string | null | undefined; busy: boolean; submitLabel: string; closeLabel: string; onClose: () => void }) {
  return (
    <>
      {general && (
        <div className="error-banner" role="alert">
          {general}
        </div>
      )}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" onClick={onClose}>
          {closeLabel}
        </button>
      </div>
    </>
  );
}

/** The options of a team picker: "no team", then every team. */
export function TeamOptions({ teams }: { teams: Team[] }) {
  const { t } = useTranslation();
  return (
    <>
      <option value="">{t('settings.users.noTeam')}</option>
      {teams.map((x) => (
        <option key={x.id} value={x.id}>
          {x.name}
        </option>
      ))}
    </>
  );
}
