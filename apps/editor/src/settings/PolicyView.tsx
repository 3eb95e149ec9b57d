// Reply deadlines (SLA) per priority, the budget thresholds that set a new inquiry's priority,
// the assignment strategy and the escalation minutes. New conversations and assignments use them at once.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBanner, Spinner, useLoad } from '../ui/common';
import { Field } from './Field';
import { fieldErrors, settingsApi, type InboxPolicy } from './api';

export function PolicyView() {
  const policy = useLoad((signal) => settingsApi.policy(signal), []);
  if (policy.error && !policy.data) return <ErrorBanner error={policy.error} onRetry={policy.reload} />;
  if (!policy.data) return <Spinner />;
  return <PolicyForm start={policy.data} />;
}

function PolicyForm({ start }: { start: InboxPolicy }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<InboxPolicy>(start);
  const [serverError, setServerError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const { fields, general } = fieldErrors(serverError, t);
  const num = (v: string) => (v === '' ? Number.NaN : Number(v));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setServerError(null);
    setSaved(false);
    setBusy(true);
    try {
      setForm(await settingsApi.savePolicy(form));
      setSaved(true);
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings-section policy-form" onSubmit={submit} noValidate aria-label={t('settings.tabs.policy')}>
      <section className="card">
        <h2>{t('settings.policy.slaTitle')}</h2>
        <p className="small muted">{t('settings.policy.slaIntro')}</p>
        <div className="form-grid">
          {(['P1', 'P2', 'P3'] as const).map((p) => (
            <Field key={p} label={t('settings.policy.slaFor', { priority: p })} error={fields[`sla.${p}`]} hint={t('settings.policy.hoursUnit')}>
              <input type="number" min={0.25} step={0.25} value={Number.isNaN(form.sla[p]) ? '' : form.sla[p]} onChange={(e) => setForm({ ...form, sla: { ...form.sla, [p]: num(e.target.value) } })} />
            </Field>
          ))}
        </div>
      </section>
      <section className="card">
        <h2>{t('settings.policy.priorityTitle')}</h2>
        <p className="small muted">{t('settings.policy.priorityIntro')}</p>
        <div className="form-grid">
          <Field label={t('settings.policy.p1Above')} error={fields['budget.p1Above']}>
            <input type="number" min={0} step={1000} value={Number.isNaN(form.budget.p1Above) ? '' : form.budget.p1Above} onChange={(e) => setForm({ ...form, budget: { ...form.budget, p1Above: num(e.target.value) } })} />
          </Field>
          <Field label={t('settings.policy.p2From')} error={fields['budget.p2From']}>
            <input type="number" min={0} step={1000} value={Number.isNaN(form.budget.p2From) ? '' : form.budget.p2From} onChange={(e) => setForm({ ...form, budget: { ...form.budget, p2From: num(e.target.value) } })} />
          </Field>
        </div>
      </section>
      <section className="card">
        <h2>{t('settings.policy.escalationTitle')}</h2>
        <p className="small muted">{t('settings.policy.escalationIntro')}</p>
        <div className="form-grid">
          <Field label={t('settings.policy.escalateAfter')} error={fields.escalateAfterMinutes} hint={t('settings.policy.minutesUnit')}>
            <input type="number" min={1} max={1440} step={1} value={Number.isNaN(form.escalateAfterMinutes) ? '' : form.escalateAfterMinutes} onChange={(e) => setForm({ ...form, escalateAfterMinutes: num(e.target.value) })} />
          </Field>
        </div>
      </section>
      <section className="card">
        <h2>{t('settings.policy.strategyTitle')}</h2>
        <fieldset className="strategy">
          <legend className="sr-only">{t('settings.policy.strategyTitle')}</legend>
          {(['round_robin', 'load'] as const).map((s) => (
            <label key={s} className="check strategy-option">
              <input type="radio" name="strategy" value={s} checked={form.strategy === s} onChange={() => setForm({ ...form, strategy: s })} />
              <span>
                <strong>{t(`settings.policy.strategy.${s}`)}</strong> <span className="small muted">{t(`settings.policy.strategyHint.${s}`)}</span>
              </span>
            </label>
          ))}
        </fieldset>
      </section>
      {general && <div className="error-banner" role="alert">{general}</div>}
      {saved && <div className="notice" role="status">{t('settings.policy.saved')}</div>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{t('settings.policy.save')}</button>
      </div>
    </form>
  );
}
