// The template picker of an auto-reply rule: a saved template of a chat channel (WhatsApp, SMS)
// in a language, chosen from the saved ones, with its text and the variables filled in on sending.
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBanner, useLoad } from '../ui/common';
import { Field } from './Field';
import { SelectField } from './parts';
import { TEMPLATE_LANGUAGES, templatesApi, type MessageTemplate } from './templates-api';

/** The channels whose templates a rule may answer with (the server refuses others: template_wrong_channel). */
export const RULE_TEMPLATE_CHANNELS = ['whatsapp', 'sms'] as const;
type Channel = (typeof RULE_TEMPLATE_CHANNELS)[number];
type Language = (typeof TEMPLATE_LANGUAGES)[number];

const VARIABLE = /(\{\{\s*\d+\s*\}\}|\{[\w.]+\})/g;

/** The template's text with its variables marked. */
export function TemplateText({ body }: { body: string }) {
  return (
    <>
      {body.split(VARIABLE).map((part, i) =>
        i % 2 === 1 ? <mark key={i} className="template-variable">{part}</mark> : <Fragment key={i}>{part}</Fragment>,
      )}
    </>
  );
}

export function TemplatePicker({ value, onChange, error }: { value: string | null; onChange: (id: string | null) => void; error?: string }) {
  const { t } = useTranslation();
  const all = useLoad((signal) => templatesApi.templates({}, signal), []);
  const current = all.data?.find((x) => x.id === value);
  const [channel, setChannel] = useState<Channel>(() => (current?.channel as Channel) ?? 'whatsapp');
  const [language, setLanguage] = useState<Language>(() => (current?.language as Language) ?? 'en');
  if (all.error && !all.data) return <ErrorBanner error={all.error} onRetry={all.reload} />;
  const chosen = current ?? null;
  // once loaded, the filters follow the chosen template
  const ch = (chosen?.channel as Channel | undefined) ?? channel;
  const lang = (chosen?.language as Language | undefined) ?? language;
  const choices = (all.data ?? []).filter((x) => x.channel === ch && x.language === lang);
  const variables = chosen ? [...new Set(chosen.body.match(VARIABLE) ?? [])] : [];

  return (
    <div className="template-picker" data-testid="template-picker">
      <div className="form-grid">
        <SelectField
          label={t('settings.rules.templateChannel')}
          name="templateChannel"
          value={ch}
          options={RULE_TEMPLATE_CHANNELS.map((c) => ({ value: c, label: t(`inbox.channelName.${c}`) }))}
          onChange={(c) => { setChannel(c); setLanguage(lang); onChange(null); }}
        />
        <SelectField
          label={t('settings.rules.templateLanguage')}
          name="templateLanguage"
          value={lang}
          options={TEMPLATE_LANGUAGES.map((l) => ({ value: l, label: t(`settings.languages.${l}`) }))}
          onChange={(l) => { setLanguage(l); setChannel(ch); onChange(null); }}
        />
        <Field label={t('settings.rules.template')} error={error}>
          <select name="templateId" value={value ?? ''} onChange={(e) => onChange(e.target.value || null)} disabled={!all.data}>
            <option value="">{t('settings.rules.templatePick')}</option>
            {choices.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name} · {t(`settings.templates.statuses.${x.status}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      {all.data && choices.length === 0 && !chosen && (
        <p className="small muted">{t('settings.rules.templateNone', { channel: t(`inbox.channelName.${ch}`) })}</p>
      )}
      {chosen && <TemplatePreview template={chosen} variables={variables} />}
    </div>
  );
}

function TemplatePreview({ template, variables }: { template: MessageTemplate; variables: string[] }) {
  const { t } = useTranslation();
  return (
    <div className="template-preview" role="group" aria-label={t('settings.rules.templatePreview')}>
      <span className="field-label">{t('settings.rules.templatePreview')}</span>
      <span className={`pill template-status-${template.status}`}>{t(`settings.templates.statuses.${template.status}`)}</span>
      <blockquote className="tester-reply" data-testid="template-preview-text"><TemplateText body={template.body} /></blockquote>
      <p className="small muted">{variables.length ? t('settings.rules.templateVariables', { vars: variables.join(', ') }) : t('settings.rules.templateNoVariables')}</p>
      {template.rejectedReason && <p className="small muted">{t('settings.templates.rejectedBecause', { reason: template.rejectedReason })}</p>}
    </div>
  );
}
