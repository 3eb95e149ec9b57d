// Settings → Templates & quick replies: saved message templates per channel and language
// (WhatsApp: category and approval status) and the quick replies agents insert with `/code`.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';
import { ErrorBanner, Spinner, useLoad } from '../ui/common';
import { Field } from './Field';
import { FormActions, SelectField, TeamOptions, useSave } from './parts';
import { fieldErrors, generalText, said, say, settingsApi, type Said, type Team } from './api';
import { TEMPLATE_CATEGORIES, TEMPLATE_CHANNELS, TEMPLATE_LANGUAGES, templatesApi, type MessageTemplate, type QuickReply } from './templates-api';

/** Field errors in the person's language: duplicates and missing values by code, the rest as the server says. */
function errorsOf(error: unknown, t: TFunction) {
  const { fields, general } = fieldErrors(error, t);
  if (error instanceof ApiError) {
    if (error.code === 'template_name_taken') return { fields: { name: t('settings.templates.errors.nameTaken') }, general: null };
    if (error.code === 'quick_reply_code_taken') return { fields: { code: t('settings.templates.errors.codeTaken') }, general: null };
    if (error.code === 'whatsapp_unavailable') return { fields: {}, general: t('settings.templates.errors.metaUnavailable') };
    const details = Array.isArray(error.details) ? (error.details as { path?: string; code?: string }[]) : [];
    for (const d of details) {
      const f = String(d.path ?? '').replace(/^body\./, '');
      if (f === 'category') fields.category = t('settings.templates.errors.category');
      else if (f === 'name') fields.name = d.code === 'too_small' ? t('settings.templates.errors.required') : t('settings.templates.errors.whatsappName');
      else if (f === 'code') fields.code = d.code === 'too_small' ? t('settings.templates.errors.required') : t('settings.templates.errors.code');
      else if ((f === 'body' || f === 'text') && d.code === 'too_small') fields[f] = t('settings.templates.errors.required');
    }
    for (const d of details as { path?: string; code?: string; params?: { reason?: string } }[]) {
      // Meta's review refused it: its words, at the field it names
      if (d.code === 'whatsapp_template_refused') {
        fields[String(d.path ?? 'body.body').replace(/^body\./, '')] = t('settings.templates.errors.metaRefused', { reason: d.params?.reason ?? '' });
        return { fields, general: null };
      }
    }
  }
  return { fields, general };
}

/** Why a delete failed, said at the template's row: Meta refusing (its words) or not answering keeps the template. */
function deleteErrorText(error: unknown, t: TFunction) {
  if (error instanceof ApiError) {
    if (error.code === 'whatsapp_unavailable') return t('settings.templates.errors.metaDeleteUnavailable');
    if (error.code === 'whatsapp_template_delete_refused') {
      const d = (Array.isArray(error.details) ? (error.details as { params?: { reason?: string } }[]) : [])[0];
      return t('settings.templates.errors.metaDeleteRefused', { reason: d?.params?.reason ?? '' });
    }
  }
  return generalText(error, t);
}

export function TemplatesView() {
  const { t } = useTranslation();
  const templates = useLoad((signal) => templatesApi.templates({}, signal), []);
  const quick = useLoad((signal) => templatesApi.quickReplies(signal), []);
  const teams = useLoad((signal) => settingsApi.teams(signal), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<Said | null>(null);
  const [error, setError] = useState<{ id: string; error: unknown } | null>(null);
  if (templates.error && !templates.data) return <ErrorBanner error={templates.error} onRetry={templates.reload} />;
  if (quick.error && !quick.data) return <ErrorBanner error={quick.error} onRetry={quick.reload} />;
  if (!templates.data || !quick.data) return <Spinner />;
  const teamName = new Map((teams.data ?? []).map((x) => [x.id, x.name]));

  const done = (msg: Said) => {
    setEditing(null);
    setNotice(msg);
    templates.reload();
    quick.reload();
  };
  async function remove(what: 'template' | 'quick', id: string, label: string) {
    if (!window.confirm(t(what === 'template' ? 'settings.templates.confirmDelete' : 'settings.templates.confirmDeleteQuick', { name: label }))) return;
    setError(null);
    try {
      if (what === 'template') await templatesApi.deleteTemplate(id);
      else await templatesApi.deleteQuickReply(id);
      done(said('settings.templates.deleted', { name: label }));
    } catch (e) {
      setError({ id, error: e });
    }
  }
  const rowError = (id: string) => (error?.id === id ? <div className="error-banner small rule-item-error" role="alert" data-testid="delete-error">{deleteErrorText(error.error, t)}</div> : null);
  const start = (id: string) => { setEditing(id); setNotice(null); };

  return (
    <section className="settings-section" aria-label={t('settings.tabs.templates')}>
      {notice && <div className="notice" role="status">{say(t, notice)}</div>}
      <section className="card" aria-label={t('settings.templates.title')} data-testid="templates">
        <div className="row rule-group-head">
          <div>
            <h2>{t('settings.templates.title')}</h2>
            <p className="small muted">{t('settings.templates.hint')}</p>
          </div>
          {editing !== 'new-template' && <button type="button" className="small" onClick={() => start('new-template')}>{t('settings.templates.add')}</button>}
        </div>
        {editing === 'new-template' && <TemplateForm onCancel={() => setEditing(null)} onSaved={(name) => done(said('settings.templates.saved', { name }))} />}
        {templates.data.length === 0 && editing !== 'new-template' && <p className="muted small">{t('settings.templates.none')}</p>}
        <ul className="rule-list">
          {templates.data.map((x) =>
            editing === x.id ? (
              <li key={x.id}><TemplateForm template={x} onCancel={() => setEditing(null)} onSaved={(name) => done(said('settings.templates.saved', { name }))} /></li>
            ) : (
              <li key={x.id} className="rule-item" data-testid="template">
                <div className="rule-main">
                  <strong>{x.name}</strong>
                  <span className="pill">{t(`inbox.channelName.${x.channel}`, { defaultValue: x.channel })}</span>
                  <span className="pill">{t(`settings.languages.${x.language}`, { defaultValue: x.language })}</span>
                  {x.category && <span className="pill">{t(`settings.templates.categories.${x.category}`)}</span>}
                  <span className={`pill template-status-${x.status}`} data-testid="template-status">{t(`settings.templates.statuses.${x.status}`)}</span>
                  <span className="small muted rule-reply">“{x.body}”</span>
                  {x.rejectedReason && <span className="small muted" data-testid="template-reason">{t('settings.templates.rejectedBecause', { reason: x.rejectedReason })}</span>}
                </div>
                <span className="row">
                  <button type="button" className="link small" onClick={() => start(x.id)}>{t('settings.templates.edit')}</button>
                  <button type="button" className="link small danger" onClick={() => void remove('template', x.id, x.name)}>{t('settings.templates.delete')}</button>
                </span>
                {rowError(x.id)}
              </li>
            ),
          )}
        </ul>
      </section>
      <section className="card" aria-label={t('settings.templates.quickTitle')} data-testid="quick-replies-settings">
        <div className="row rule-group-head">
          <div>
            <h2>{t('settings.templates.quickTitle')}</h2>
            <p className="small muted">{t('settings.templates.quickHint')}</p>
          </div>
          {editing !== 'new-quick' && <button type="button" className="small" onClick={() => start('new-quick')}>{t('settings.templates.addQuick')}</button>}
        </div>
        {editing === 'new-quick' && <QuickReplyForm teams={teams.data ?? []} onCancel={() => setEditing(null)} onSaved={(name) => done(said('settings.templates.saved', { name }))} />}
        {quick.data.length === 0 && editing !== 'new-quick' && <p className="muted small">{t('settings.templates.noneQuick')}</p>}
        <ul className="rule-list">
          {quick.data.map((q) =>
            editing === q.id ? (
              <li key={q.id}><QuickReplyForm reply={q} teams={teams.data ?? []} onCancel={() => setEditing(null)} onSaved={(name) => done(said('settings.templates.saved', { name }))} /></li>
            ) : (
              <li key={q.id} className="rule-item" data-testid="quick-reply">
                <div className="rule-main">
                  <strong>/{q.code}</strong>
                  <span className="pill">{t(`settings.languages.${q.language}`, { defaultValue: q.language })}</span>
                  {q.teamId && <span className="pill">{teamName.get(q.teamId) ?? q.teamId}</span>}
                  <span className="small muted rule-reply">“{q.text}”</span>
                </div>
                <span className="row">
                  <button type="button" className="link small" onClick={() => start(q.id)}>{t('settings.templates.edit')}</button>
                  <button type="button" className="link small danger" onClick={() => void remove('quick', q.id, `/${q.code}`)}>{t('settings.templates.delete')}</button>
                </span>
                {rowError(q.id)}
              </li>
            ),
          )}
        </ul>
      </section>
    </section>
  );
}

function TemplateForm({ template, onSaved, onCancel }: { template?: MessageTemplate; onSaved: (name: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({
    name: template?.name ?? '',
    channel: (template?.channel ?? 'whatsapp') as (typeof TEMPLATE_CHANNELS)[number],
    language: (template?.language ?? 'en') as (typeof TEMPLATE_LANGUAGES)[number],
    subject: template?.subject ?? '',
    body: template?.body ?? '',
    category: template?.category ?? 'utility',
  });
  const save = useSave();
  const { fields, general } = errorsOf(save.error, t);
  const whatsapp = form.channel === 'whatsapp';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = { name: form.name.trim(), channel: form.channel, language: form.language, body: form.body, subject: form.channel === 'email' ? form.subject : null, category: whatsapp ? form.category : null };
    await save.run(async () => {
      if (template) await templatesApi.saveTemplate(template.id, body);
      else await templatesApi.addTemplate(body);
      onSaved(body.name);
    });
  }
  return (
    <form className="rule-form" onSubmit={submit} noValidate aria-label={template ? t('settings.templates.editTitle', { name: template.name }) : t('settings.templates.add')}>
      <div className="form-grid">
        <Field label={t('settings.templates.name')} hint={whatsapp ? t('settings.templates.nameHint') : undefined} error={fields.name}>
          <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <SelectField label={t('settings.templates.channel')} name="channel" value={form.channel} options={TEMPLATE_CHANNELS.map((c) => ({ value: c, label: t(`inbox.channelName.${c}`) }))} onChange={(channel) => setForm({ ...form, channel })} />
        <LanguageField value={form.language} onChange={(language) => setForm({ ...form, language })} />
        {whatsapp && (
          <SelectField
            label={t('settings.templates.category')}
            hint={t('settings.templates.approvalHint')}
            error={fields.category}
            name="category"
            value={form.category}
            options={TEMPLATE_CATEGORIES.map((c) => ({ value: c, label: t(`settings.templates.categories.${c}`) }))}
            onChange={(category) => setForm({ ...form, category })}
          />
        )}
        {form.channel === 'email' && (
          <Field label={t('settings.templates.subject')} error={fields.subject}>
            <input name="subject" value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} />
          </Field>
        )}
      </div>
      <Field label={t('settings.templates.body')} hint={t('settings.templates.bodyHint')} error={fields.body}>
        <textarea name="body" rows={4} value={form.body} onChange={(e) => setForm({ ...form, body: e.target.value })} />
      </Field>
      <FormActions general={general} busy={save.busy} submitLabel={t('settings.templates.save')} closeLabel={t('common.cancel')} onClose={onCancel} />
    </form>
  );
}

function LanguageField({ value, onChange }: { value: (typeof TEMPLATE_LANGUAGES)[number]; onChange: (language: (typeof TEMPLATE_LANGUAGES)[number]) => void }) {
  const { t } = useTranslation();
  return <SelectField label={t('settings.templates.language')} name="language" value={value} options={TEMPLATE_LANGUAGES.map((l) => ({ value: l, label: t(`settings.languages.${l}`) }))} onChange={onChange} />;
}

function QuickReplyForm({ reply, teams, onSaved, onCancel }: { reply?: QuickReply; teams: Team[]; onSaved: (name: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState({ code: reply?.code ?? '', text: reply?.text ?? '', language: (reply?.language ?? 'en') as (typeof TEMPLATE_LANGUAGES)[number], teamId: reply?.teamId ?? '' });
  const save = useSave();
  const { fields, general } = errorsOf(save.error, t);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = { code: form.code.trim().replace(/^\//, ''), text: form.text, language: form.language, teamId: form.teamId || null };
    await save.run(async () => {
      if (reply) await templatesApi.saveQuickReply(reply.id, body);
      else await templatesApi.addQuickReply(body);
      onSaved(`/${body.code}`);
    });
  }
  return (
    <form className="rule-form" onSubmit={submit} noValidate aria-label={reply ? t('settings.templates.editTitle', { name: `/${reply.code}` }) : t('settings.templates.addQuick')}>
      <div className="form-grid">
        <Field label={t('settings.templates.code')} hint={t('settings.templates.codeHint')} error={fields.code}>
          <input name="code" value={form.code} onChange={(e) => setForm({ ...form, code: e.target.value })} />
        </Field>
        <LanguageField value={form.language} onChange={(language) => setForm({ ...form, language })} />
        <Field label={t('settings.templates.team')} error={fields.teamId}>
          <select name="teamId" value={form.teamId} onChange={(e) => setForm({ ...form, teamId: e.target.value })}>
            <TeamOptions teams={teams} />
          </select>
        </Field>
      </div>
      <Field label={t('settings.templates.text')} hint={t('settings.templates.textHint')} error={fields.text}>
        <textarea name="text" rows={3} value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} />
      </Field>
      <FormActions general={general} busy={save.busy} submitLabel={t('settings.templates.save')} closeLabel={t('common.cancel')} onClose={onCancel} />
    </form>
  );
}
