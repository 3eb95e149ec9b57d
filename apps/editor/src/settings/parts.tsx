// Small pieces the settings forms share: the form's closing row and the team choices.
import { useTranslation } from 'react-i18next';
import type { Team } from './api';

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
