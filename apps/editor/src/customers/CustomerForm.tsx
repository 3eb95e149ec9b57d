// Add or change a customer by hand: name, phone with the country of a number written without
// +country code (preset from the organisation's setting, Settings → Import), e-mail, company.
// A number not valid for the chosen country is an error at the phone field, never a guess.
import { useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { Field } from '../settings/Field';
import { ErrorBanner, issueMessage, Spinner, useLoad } from '../ui/common';
import { customersApi, type Customer } from './api';
import { regionOptions } from './regions';

type Issue = { path?: unknown; code?: string; message?: string; value?: string };
type Values = { fullName: string; phone: string; email: string; company: string };

/** The answer's issues as text per form field (fullName, phone, email, company); the rest stays general. */
export function customerFieldErrors(error: unknown, t: TFunction, countryName: (code: string) => string): { fields: Partial<Record<keyof Values, string>>; general: unknown } {
  const fields: Partial<Record<keyof Values, string>> = {};
  if (!(error instanceof ApiError)) return { fields, general: error };
  const details = Array.isArray(error.details) ? (error.details as Issue[]) : [];
  for (const d of details) {
    const field = String(Array.isArray(d.path) ? d.path.join('.') : (d.path ?? '')).replace(/^body\./, '') as keyof Values | 'phoneRegion';
    const key = field === 'phoneRegion' ? 'phone' : field;
    if (!['fullName', 'phone', 'email', 'company'].includes(key) || fields[key]) continue;
    if (d.code === 'invalid_phone_for_region') fields.phone = t('customerForm.phoneNotInCountry', { country: countryName(String(d.value ?? '')) });
    else if (key === 'phone') fields.phone = t('customerForm.phoneInvalid');
    else if (key === 'email') fields.email = t('customerForm.emailInvalid');
    else if (key === 'fullName') fields.fullName = t('customerForm.nameRequired');
    else fields[key] = issueMessage(d, t);
  }
  return { fields, general: Object.keys(fields).length ? null : error };
}

export function CustomerForm({ customer, onSaved, onCancel }: { customer?: Customer; onSaved: (c: Customer) => void; onCancel: () => void }) {
  const settings = useLoad((signal) => customersApi.importSettings(signal), []);
  if (settings.error && !settings.data) return <ErrorBanner error={settings.error} onRetry={settings.reload} />;
  if (!settings.data) return <Spinner />;
  return <CustomerFormBody customer={customer} preset={settings.data.defaultRegion} regions={settings.data.regions} onSaved={onSaved} onCancel={onCancel} />;
}

function CustomerFormBody({ customer, preset, regions, onSaved, onCancel }: { customer?: Customer; preset: string; regions: string[]; onSaved: (c: Customer) => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  const start: Values = { fullName: customer?.fullName ?? '', phone: customer?.phone ?? '', email: customer?.email ?? '', company: customer?.company ?? '' };
  const [v, setV] = useState<Values>(start);
  const [region, setRegion] = useState(preset);
  const [error, setError] = useState<unknown>(null);
  const [nameMissing, setNameMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const options = regionOptions(regions, region, i18n.language);
  const countryName = (code: string) => options.find((o) => o.code === code)?.name ?? code;
  const { fields, general } = customerFieldErrors(error, t, countryName);
  const set = (k: keyof Values) => (e: { target: { value: string } }) => setV((x) => ({ ...x, [k]: e.target.value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (!v.fullName.trim()) return setNameMissing(true);
    setNameMissing(false);
    // only what changed is sent: a masked phone or e-mail shown to this role is never written back
    const body: Record<string, string | null> = {};
    for (const k of ['fullName', 'phone', 'email', 'company'] as const) {
      const value = v[k].trim();
      if (customer && value === start[k].trim()) continue;
      if (!customer && !value) continue;
      body[k] = value || null;
    }
    if (body.phone) body.phoneRegion = region;
    setBusy(true);
    try {
      onSaved(customer ? (Object.keys(body).length ? await customersApi.update(customer.id, body) : customer) : await customersApi.create(body as { fullName: string }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card customer-form" onSubmit={submit} noValidate aria-label={customer ? t('customerForm.editTitle') : t('customerForm.addTitle')}>
      <h3>{customer ? t('customerForm.editTitle') : t('customerForm.addTitle')}</h3>
      <div className="form-grid">
        <Field label={t('fields.fullName')} error={nameMissing ? t('customerForm.nameRequired') : fields.fullName}>
          <input value={v.fullName} onChange={set('fullName')} autoFocus />
        </Field>
        <Field label={t('fields.phone')} error={fields.phone} hint={t('customerForm.phoneHint')}>
          <input value={v.phone} onChange={set('phone')} inputMode="tel" />
        </Field>
        <Field label={t('customerForm.country')} hint={t('customerForm.countryHint')}>
          <select value={region} onChange={(e) => setRegion(e.target.value)}>
            {options.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('fields.email')} error={fields.email}>
          <input value={v.email} onChange={set('email')} type="email" />
        </Field>
        <Field label={t('fields.company')} error={fields.company}>
          <input value={v.company} onChange={set('company')} />
        </Field>
      </div>
      <ErrorBanner error={general} />
      <div className="row end">
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {customer ? t('customerForm.save') : t('customerForm.add')}
        </button>
      </div>
    </form>
  );
}
