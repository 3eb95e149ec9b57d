// A team's business hours: timezone, periods per weekday, holidays, routing keywords, default
// team. Auto-replies ("in / out of hours", the away message) and SLA deadlines use them at once.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBanner, Spinner, useLoad } from '../ui/common';
import { ZONES } from './AgentDetails';
import { Field } from './Field';
import { WeeklyHours } from './WeeklyHours';
import { fieldErrors, settingsApi, type Team, type TeamHours } from './api';

type Form = Omit<TeamHours, 'teamId' | 'configured'>;

/** A calendar day (yyyy-mm-dd) as the language writes it, without a timezone shifting it. */
const dayText = (d: string, lng: string) => {
  const date = new Date(`${d}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? d : new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
};

export function BusinessHours({ team, onSaved, onClose }: { team: Team; onSaved: () => void; onClose: () => void }) {
  const hours = useLoad((signal) => settingsApi.teamHours(team.id, signal), [team.id]);
  if (hours.error && !hours.data) return <ErrorBanner error={hours.error} onRetry={hours.reload} />;
  if (!hours.data) return <Spinner />;
  return <HoursForm key={team.id} team={team} start={hours.data} onSaved={onSaved} onClose={onClose} />;
}

function HoursForm({ team, start, onSaved, onClose }: { team: Team; start: TeamHours; onSaved: () => void; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [form, setForm] = useState<Form>({ timezone: start.timezone, periods: start.periods, holidays: start.holidays, routingKeywords: start.routingKeywords, skill: start.skill, isDefault: start.isDefault });
  const [keywords, setKeywords] = useState(start.routingKeywords.join('\n'));
  const [holiday, setHoliday] = useState('');
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const { fields, general } = fieldErrors(serverError, t);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // (Chromium's scrollIntoView returns a promise now: never hand it to React as a clean-up)
    void ref.current?.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setServerError(null);
    setBusy(true);
    try {
      await settingsApi.saveTeamHours(team.id, { ...form, routingKeywords: keywords.split('\n').map((k) => k.trim()).filter(Boolean) });
      onSaved();
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  }
  const periodError = (i: number) => fields[`periods.${i}.start`] ?? fields[`periods.${i}.end`] ?? fields[`periods.${i}.weekday`];
  const holidayError = Object.entries(fields).find(([k]) => k.startsWith('holidays'))?.[1];

  return (
    <form ref={ref} className="card business-hours" onSubmit={submit} noValidate aria-label={t('settings.hours.title', { name: team.name })}>
      <h2>{t('settings.hours.title', { name: team.name })}</h2>
      <p className="small muted">{t('settings.hours.intro')}</p>
      <div className="form-grid">
        <Field label={t('settings.hours.timezone')} error={fields.timezone}>
          <input name="timezone" list="settings-zones-team" value={form.timezone} onChange={(e) => setForm({ ...form, timezone: e.target.value })} />
        </Field>
        <datalist id="settings-zones-team">
          {ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={form.isDefault} onChange={(e) => setForm({ ...form, isDefault: e.target.checked })} />
            {t('settings.hours.isDefault')}
          </label>
          <span className="small muted">{t('settings.hours.isDefaultHint')}</span>
        </div>
      </div>
      <fieldset className="working-hours">
        <legend className="field-label">{t('settings.hours.periods')}</legend>
        <p className="small muted">{form.periods.length === 0 ? t('settings.hours.alwaysOpen') : t('settings.agent.hoursHint')}</p>
        <WeeklyHours periods={form.periods} onChange={(periods) => { setForm({ ...form, periods }); setServerError(null); }} errorOf={periodError} />
      </fieldset>
      <fieldset className="holidays">
        <legend className="field-label">{t('settings.hours.holidays')}</legend>
        <ul className="holiday-list">
          {form.holidays.map((d) => (
            <li key={d} className="pill">
              {dayText(d, i18n.language)}
              <button type="button" className="icon-btn" aria-label={t('settings.hours.removeHoliday', { date: d })} onClick={() => setForm({ ...form, holidays: form.holidays.filter((x) => x !== d) })}>
                ×
              </button>
            </li>
          ))}
          {form.holidays.length === 0 && <li className="muted small">{t('settings.hours.noHolidays')}</li>}
        </ul>
        <span className="row">
          <input type="date" aria-label={t('settings.hours.holidayDate')} value={holiday} onChange={(e) => setHoliday(e.target.value)} />
          <button type="button" className="small" disabled={!holiday} onClick={() => { setForm({ ...form, holidays: [...new Set([...form.holidays, holiday])].sort() }); setHoliday(''); }}>
            {t('settings.hours.addHoliday')}
          </button>
        </span>
        {holidayError && <span className="field-error" role="alert">{holidayError}</span>}
      </fieldset>
      <Field label={t('settings.hours.keywords')} hint={t('settings.hours.keywordsHint')}>
        <textarea name="routingKeywords" rows={3} value={keywords} onChange={(e) => setKeywords(e.target.value)} />
      </Field>
      {general && <div className="error-banner" role="alert">{general}</div>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{t('settings.hours.save')}</button>
        <button type="button" onClick={onClose}>{t('common.close')}</button>
      </div>
    </form>
  );
}
