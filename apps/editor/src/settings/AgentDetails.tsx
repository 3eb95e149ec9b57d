// An agent's routing details (read by the inbox's assignment): skills, languages, working hours
// per weekday (several periods a day: lunch breaks, split shifts), timezone, open-conversation cap.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from './Field';
import { WeeklyHours } from './WeeklyHours';
import { fieldErrors, LANGUAGES, settingsApi, type AgentProfileInput, type ManagedUser, type Period } from './api';
import { FormActions } from './parts';

export const ZONES = ['Asia/Taipei', 'Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Singapore', 'Europe/Madrid', 'Europe/London', 'America/Mexico_City', 'America/New_York', 'UTC'];

export const emptyProfile = (): AgentProfileInput => ({ skills: [], languages: [], workingHours: [], timezone: 'UTC', maxOpen: 6, supervisor: false });

export function AgentDetails({ user, onSaved, onClose }: { user: ManagedUser; onSaved: (name: string) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const start = user.agent ?? emptyProfile();
  const [form, setForm] = useState<AgentProfileInput>({
    skills: start.skills,
    languages: start.languages,
    workingHours: start.workingHours,
    timezone: start.timezone,
    maxOpen: start.maxOpen,
    supervisor: start.supervisor,
  });
  const [skillsText, setSkillsText] = useState(start.skills.join(', '));
  const [serverError, setServerError] = useState<unknown>(null);
  const { fields: errors, general } = fieldErrors(serverError, t);
  const [busy, setBusy] = useState(false);
  const periods = form.workingHours;
  const setPeriods = (next: Period[]) => {
    setForm((f) => ({ ...f, workingHours: next }));
    setServerError(null); // the positions the server named no longer hold
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setServerError(null);
    const skills = skillsText.split(/[,，、\n]/).map((s) => s.trim()).filter(Boolean);
    try {
      await settingsApi.saveAgentProfile(user.id, { ...form, skills });
      onSaved(user.name);
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  }

  const periodError = (i: number) => errors[`workingHours.${i}.start`] ?? errors[`workingHours.${i}.end`] ?? errors[`workingHours.${i}.weekday`] ?? errors[`workingHours.${i}`];

  return (
    <form className="agent-details" onSubmit={submit} aria-label={t('settings.agent.title', { name: user.name })} noValidate>
      <h3>{t('settings.agent.title', { name: user.name })}</h3>
      <p className="small muted">{t('settings.agent.intro')}</p>
      <div className="form-grid">
        <Field label={t('settings.agent.skills')} hint={t('settings.agent.skillsHint')}>
          <input name="skills" value={skillsText} onChange={(e) => setSkillsText(e.target.value)} placeholder="sales, technical, product:machines" />
        </Field>
        <fieldset className="field">
          <legend className="field-label">{t('settings.agent.languages')}</legend>
          <span className="row wrap">
            {LANGUAGES.map((l) => (
              <label key={l} className="check">
                <input
                  type="checkbox"
                  checked={form.languages.includes(l)}
                  onChange={(e) => setForm((f) => ({ ...f, languages: e.target.checked ? [...f.languages, l] : f.languages.filter((x) => x !== l) }))}
                />
                {t(`settings.languages.${l}`)}
              </label>
            ))}
          </span>
        </fieldset>
        <Field label={t('settings.agent.timezone')} error={errors.timezone}>
          <input name="timezone" list="settings-zones" value={form.timezone} onChange={(e) => setForm((f) => ({ ...f, timezone: e.target.value }))} />
        </Field>
        <datalist id="settings-zones">
          {ZONES.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <Field label={t('settings.agent.maxOpen')} error={errors.maxOpen} hint={t('settings.agent.maxOpenHint')}>
          <input name="maxOpen" type="number" min={1} max={50} value={form.maxOpen} onChange={(e) => setForm((f) => ({ ...f, maxOpen: Number(e.target.value) }))} />
        </Field>
        <div className="field">
          <label className="check">
            <input type="checkbox" checked={form.supervisor} onChange={(e) => setForm((f) => ({ ...f, supervisor: e.target.checked }))} />
            {t('settings.agent.supervisor')}
          </label>
          <span className="small muted">{t('settings.agent.supervisorHint')}</span>
        </div>
      </div>
      <fieldset className="working-hours">
        <legend className="field-label">{t('settings.agent.workingHours')}</legend>
        <p className="small muted">{periods.length === 0 ? t('settings.agent.noHours') : t('settings.agent.hoursHint')}</p>
        <WeeklyHours periods={periods} onChange={setPeriods} errorOf={periodError} />
      </fieldset>
      <FormActions general={general} busy={busy} submitLabel={t('settings.agent.save')} closeLabel={t('common.close')} onClose={onClose} />
    </form>
  );
}

/** One line for the users table: "sales, technical · 中文(繁), English · Mon–Fri". */
export function AgentSummary({ user }: { user: ManagedUser }) {
  const { t } = useTranslation();
  const a = user.agent;
  if (!a) return <span className="muted small">{t('settings.agent.none')}</span>;
  const days = [...new Set(a.workingHours.map((p) => p.weekday))].sort();
  const parts = [
    a.skills.length ? a.skills.join(', ') : null,
    a.languages.length ? a.languages.map((l) => t(`settings.languages.${l}`, { defaultValue: l })).join(', ') : null,
    days.length ? days.map((d) => t(`settings.weekdaysShort.${d}`)).join(' ') : t('settings.agent.anyTime'),
    t('settings.agent.cap', { count: a.maxOpen }),
  ].filter(Boolean);
  return <span className="small agent-summary">{parts.join(' · ')}</span>;
}
