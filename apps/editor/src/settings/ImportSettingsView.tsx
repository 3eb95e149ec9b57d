// The organisation's import settings: the country of phone numbers written without +country code,
// the preset of every import's mapping step (which may choose another for one import).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { customersApi } from '../customers/api';
import { regionOptions } from '../customers/regions';
import { useCan } from '../shell/session';
import { ErrorBanner, Spinner, useLoad } from '../ui/common';
import { Field } from './Field';
import { fieldErrors } from './api';

export function ImportSettingsView() {
  const settings = useLoad((signal) => customersApi.importSettings(signal), []);
  const options = useLoad((signal) => customersApi.importFields(signal), []);
  const error = settings.error ?? options.error;
  if (error && !(settings.data && options.data)) return <ErrorBanner error={error} onRetry={settings.error ? settings.reload : options.reload} />;
  if (!settings.data || !options.data) return <Spinner />;
  return <ImportSettingsForm start={settings.data.defaultRegion} regions={options.data.regions} />;
}

function ImportSettingsForm({ start, regions }: { start: string; regions: string[] }) {
  const { t, i18n } = useTranslation();
  const [region, setRegion] = useState(start);
  const [serverError, setServerError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const { fields, general } = fieldErrors(serverError, t);
  const mayChange = useCan()('importSettings.change');

  async function submit(e: FormEvent) {
    e.preventDefault();
    setServerError(null);
    setSaved(false);
    setBusy(true);
    try {
      setRegion((await customersApi.saveImportSettings({ defaultRegion: region })).defaultRegion);
      setSaved(true);
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings-section" onSubmit={submit} noValidate aria-label={t('settings.tabs.import')}>
      <section className="card">
        <h2>{t('settings.importSettings.title')}</h2>
        <p className="small muted">{t('settings.importSettings.intro')}</p>
        <Field label={t('settings.importSettings.country')} error={fields.defaultRegion} hint={mayChange ? undefined : t('roles.readOnlyAdmins')}>
          <select value={region} onChange={(e) => setRegion(e.target.value)} disabled={!mayChange}>
            {regionOptions(regions, region, i18n.language).map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
      </section>
      {general && <div className="error-banner" role="alert">{general}</div>}
      {saved && <div className="notice" role="status">{t('settings.importSettings.saved')}</div>}
      {mayChange && <div className="row">
        <button type="submit" className="primary" disabled={busy}>{t('settings.importSettings.save')}</button>
      </div>}
    </form>
  );
}
