// Auto-replies: the rule tester ("what would answer this message?"), then the rules in order —
// keyword replies, welcome, away, hand-off words and high-value words — each editable in place.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBanner, Spinner, useLoad } from '../ui/common';
import { Field } from './Field';
import { FormActions, SelectField, useSave } from './parts';
import { TemplatePicker } from './TemplatePicker';
import { templatesApi } from './templates-api';
import { fieldErrors, said, say, type Said, generalText, REPLY_LANGS, RULE_KINDS, settingsApi, type Rule, type RuleInput, type RuleKind, type RuleTest } from './api';

export function AutoRepliesView() {
  const { t } = useTranslation();
  const rules = useLoad((signal) => settingsApi.rules(signal), []);
  const templates = useLoad((signal) => templatesApi.templates({}, signal), []);
  const [editing, setEditing] = useState<string | null>(null);
  const [adding, setAdding] = useState<RuleKind | null>(null);
  const [notice, setNotice] = useState<Said | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (rules.error && !rules.data) return <ErrorBanner error={rules.error} onRetry={rules.reload} />;
  if (!rules.data) return <Spinner />;
  const list = rules.data;
  const templateName = new Map((templates.data ?? []).map((x) => [x.id, x.name]));

  const saved = (msg: Said) => {
    setEditing(null);
    setAdding(null);
    setNotice(msg);
    rules.reload();
  };
  async function remove(r: Rule) {
    if (!window.confirm(t('settings.rules.confirmDelete', { name: r.name }))) return;
    setError(null);
    try {
      await settingsApi.deleteRule(r.id);
      saved(said('settings.rules.deleted', { name: r.name }));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <section className="settings-section" aria-label={t('settings.tabs.autoReplies')}>
      <RuleTester />
      {notice && <div className="notice" role="status">{say(t, notice)}</div>}
      {error ? <div className="error-banner" role="alert">{generalText(error, t)}</div> : null}
      {RULE_KINDS.map((kind) => {
        const mine = list.filter((r) => r.kind === kind).sort((a, b) => a.position - b.position);
        return (
          <section key={kind} className="card rule-group" aria-label={t(`settings.rules.kinds.${kind}`)} data-testid={`rules-${kind}`}>
            <div className="row rule-group-head">
              <div>
                <h2>{t(`settings.rules.kinds.${kind}`)}</h2>
                <p className="small muted">{t(`settings.rules.kindHints.${kind}`)}</p>
              </div>
              {adding !== kind && (
                <button type="button" className="small" onClick={() => { setAdding(kind); setEditing(null); setNotice(null); }}>
                  {t('settings.rules.add')}
                </button>
              )}
            </div>
            {adding === kind && (
              <RuleForm kind={kind} nextPosition={(mine.at(-1)?.position ?? 0) + 10} onCancel={() => setAdding(null)} onSaved={(name) => saved(said('settings.rules.saved', { name }))} />
            )}
            {mine.length === 0 && adding !== kind && <p className="muted small">{t('settings.rules.none')}</p>}
            <ol className="rule-list">
              {mine.map((r) =>
                editing === r.id ? (
                  <li key={r.id}>
                    <RuleForm kind={kind} rule={r} nextPosition={r.position} onCancel={() => setEditing(null)} onSaved={(name) => saved(said('settings.rules.saved', { name }))} />
                  </li>
                ) : (
                  <li key={r.id} className={`rule-item${r.active ? '' : ' inactive'}`} data-testid="rule">
                    <div className="rule-main">
                      <strong>{r.name}</strong>
                      {!r.active && <span className="pill status-disabled">{t('settings.rules.off')}</span>}
                      {r.hours !== 'always' && <span className="pill">{t(`settings.rules.hours.${r.hours}`)}</span>}
                      {r.patterns.length > 0 && (
                        <span className="rule-patterns">
                          <span className="muted small">{t(`settings.rules.match.${r.match}`)}:</span>
                          {r.patterns.map((p) => (
                            <span key={p} className="pill pattern">{p}</span>
                          ))}
                        </span>
                      )}
                      {r.templateId && <span className="pill" data-testid="rule-template">{t('settings.rules.usesTemplate', { name: templateName.get(r.templateId) ?? '…' })}</span>}
                      {!r.templateId && (r.replies.en || r.replies.default) && <span className="small muted rule-reply">“{r.replies.en ?? r.replies.default}”</span>}
                    </div>
                    <span className="row">
                      <button type="button" className="link small" onClick={() => { setEditing(r.id); setAdding(null); setNotice(null); }}>
                        {t('settings.rules.edit')}
                      </button>
                      <button type="button" className="link small danger" onClick={() => void remove(r)}>
                        {t('settings.rules.delete')}
                      </button>
                    </span>
                  </li>
                ),
              )}
            </ol>
          </section>
        );
      })}
    </section>
  );
}

function RuleForm({ kind, rule, nextPosition, onSaved, onCancel }: { kind: RuleKind; rule?: Rule; nextPosition: number; onSaved: (name: string) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [form, setForm] = useState<RuleInput>(() => ({
    name: rule?.name ?? '',
    kind,
    position: rule?.position ?? nextPosition,
    match: rule?.match ?? 'contains',
    patterns: rule?.patterns ?? [],
    replies: rule?.replies ?? {},
    templateId: rule?.templateId ?? null,
    hours: rule?.hours ?? (kind === 'away' ? 'out_of_hours' : 'always'),
    teamId: rule?.teamId ?? null,
    active: rule?.active ?? true,
  }));
  const [answer, setAnswer] = useState<'text' | 'template'>(rule?.templateId ? 'template' : 'text');
  const [patternsText, setPatternsText] = useState((rule?.patterns ?? []).join('\n'));
  const save = useSave();
  const [nameMissing, setNameMissing] = useState(false);
  const [templateMissing, setTemplateMissing] = useState(false);
  const usesPatterns = kind === 'keyword' || kind === 'handoff' || kind === 'high_value';
  const { fields, general } = fieldErrors(save.error, t);
  const patternError = Object.entries(fields).find(([k]) => k.startsWith('patterns'))?.[1];

  async function submit(e: FormEvent) {
    e.preventDefault();
    const noName = !form.name.trim();
    const noTemplate = answer === 'template' && !form.templateId;
    setNameMissing(noName);
    setTemplateMissing(noTemplate);
    if (noName || noTemplate) return;
    const patterns = patternsText.split('\n').map((p) => p.trim()).filter(Boolean);
    const replies = Object.fromEntries(Object.entries(form.replies).filter(([, v]) => v.trim()));
    const body = { ...form, name: form.name.trim(), patterns, replies, templateId: answer === 'template' ? form.templateId : null };
    await save.run(async () => {
      if (rule) await settingsApi.saveRule(rule.id, body);
      else await settingsApi.addRule(body);
      onSaved(body.name);
    });
  }

  return (
    <form className="rule-form" onSubmit={submit} noValidate aria-label={rule ? t('settings.rules.editTitle', { name: rule.name }) : t('settings.rules.addTitle')}>
      <div className="form-grid">
        <Field label={t('settings.rules.name')} error={nameMissing ? t('settings.errors.ruleNameRequired') : fields.name}>
          <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        {usesPatterns && (
          <SelectField
            label={t('settings.rules.matchLabel')}
            hint={t(`settings.rules.matchHints.${form.match}`)}
            name="match"
            value={form.match}
            options={(['contains', 'exact', 'regex'] as const).map((m) => ({ value: m, label: t(`settings.rules.match.${m}`) }))}
            onChange={(match) => setForm({ ...form, match })}
          />
        )}
        <SelectField
          label={t('settings.rules.hoursLabel')}
          name="hours"
          value={form.hours}
          options={(['always', 'in_hours', 'out_of_hours'] as const).map((h) => ({ value: h, label: t(`settings.rules.hours.${h}`) }))}
          onChange={(hours) => setForm({ ...form, hours })}
        />
        <Field label={t('settings.rules.position')} hint={t('settings.rules.positionHint')} error={fields.position}>
          <input name="position" type="number" min={0} value={form.position} onChange={(e) => setForm({ ...form, position: Number(e.target.value) })} />
        </Field>
      </div>
      {usesPatterns && (
        <Field label={t('settings.rules.patterns')} hint={t('settings.rules.patternsHint')} error={patternError}>
          <textarea name="patterns" rows={4} value={patternsText} onChange={(e) => setPatternsText(e.target.value)} />
        </Field>
      )}
      {kind !== 'high_value' && (
        <fieldset className="answer-with">
          <legend className="field-label">{t('settings.rules.answerWith')}</legend>
          {(['text', 'template'] as const).map((a) => (
            <label key={a} className="check">
              <input type="radio" name="answerWith" value={a} checked={answer === a} onChange={() => { setAnswer(a); setTemplateMissing(false); }} />
              {t(a === 'text' ? 'settings.rules.answerText' : 'settings.rules.answerTemplate')}
            </label>
          ))}
        </fieldset>
      )}
      {kind !== 'high_value' && answer === 'template' && (
        <TemplatePicker
          value={form.templateId}
          onChange={(templateId) => { setForm({ ...form, templateId }); setTemplateMissing(false); }}
          error={templateMissing ? t('settings.errors.templateRequired') : fields.templateId}
        />
      )}
      {kind !== 'high_value' && (
        <fieldset className="replies">
          <legend className="field-label">{t('settings.rules.replies')}</legend>
          <p className="small muted">{answer === 'template' ? t('settings.rules.templateFallback') : t('settings.rules.repliesHint')}</p>
          <div className="form-grid">
            {REPLY_LANGS.map((l) => (
              <Field key={l} label={l === 'default' ? t('settings.rules.replyDefault') : t(`settings.languages.${l}`)} error={fields[`replies.${l}`]}>
                <textarea rows={3} value={form.replies[l] ?? ''} onChange={(e) => setForm({ ...form, replies: { ...form.replies, [l]: e.target.value } })} />
              </Field>
            ))}
          </div>
        </fieldset>
      )}
      <label className="check">
        <input type="checkbox" checked={form.active} onChange={(e) => setForm({ ...form, active: e.target.checked })} />
        {t('settings.rules.active')}
      </label>
      <FormActions general={general} busy={save.busy} submitLabel={t('settings.rules.save')} closeLabel={t('common.cancel')} onClose={onCancel} />
    </form>
  );
}

function RuleTester() {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [firstContact, setFirstContact] = useState(false);
  const [at, setAt] = useState('');
  const [result, setResult] = useState<RuleTest | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function run(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setError(null);
    try {
      setResult(await settingsApi.testRules({ text, firstContact, at: at ? new Date(at).toISOString() : undefined }));
    } catch (err) {
      setError(err);
    }
  }

  const line = (key: string, hit: RuleTest['keyword'], extra?: string) =>
    hit && (
      <li key={key} data-testid={`test-${key}`}>
        <strong>{t(`settings.tester.${key}`, { name: hit.name })}</strong>
        {hit.pattern && <span className="muted small"> {t('settings.tester.matched', { pattern: hit.pattern })}</span>}
        {hit.reply && <div className="tester-reply">“{hit.reply}”</div>}
        {extra && <div className="small muted">{extra}</div>}
      </li>
    );

  return (
    <form className="card rule-tester" onSubmit={run} aria-label={t('settings.tester.title')}>
      <h2>{t('settings.tester.title')}</h2>
      <div className="tester-inputs">
        <Field label={t('settings.tester.message')}>
          <textarea name="testText" rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('settings.tester.placeholder')} />
        </Field>
        <Field label={t('settings.tester.at')} hint={t('settings.tester.atHint')}>
          <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={firstContact} onChange={(e) => setFirstContact(e.target.checked)} />
          {t('settings.tester.firstContact')}
        </label>
        <button type="submit" className="primary" disabled={!text.trim()}>{t('settings.tester.run')}</button>
      </div>
      {error ? <div className="error-banner" role="alert">{generalText(error, t)}</div> : null}
      {result && (
        <div className="tester-result" role="status" aria-label={t('settings.tester.result')}>
          <p className="small muted">
            {t('settings.tester.context', { language: t(`settings.languages.${result.language}`, { defaultValue: result.language }), hours: result.inHours ? t('settings.tester.inHours') : t('settings.tester.outOfHours') })}
          </p>
          <ul>
            {line('welcome', result.welcome)}
            {line('handoff', result.handoff, t('settings.tester.handoffNote'))}
            {line('highValue', result.highValue, t('settings.tester.highValueNote'))}
            {line('keyword', result.keyword)}
            {line('away', result.away)}
            {!result.keyword && !result.handoff && !result.highValue && (
              <li data-testid="test-none">
                <strong>{t('settings.tester.noRule')}</strong>
                <div className="small muted">{t('settings.tester.noRuleNote')}</div>
              </li>
            )}
          </ul>
        </div>
      )}
    </form>
  );
}
