// The conversation's composer: reply or internal note; `/` + a code offers the matching quick
// replies (arrows + Enter or a click inserts the text, variables filled); outside WhatsApp's
// 24-hour window it says so and offers the approved WhatsApp templates (or a template by name
// when none is saved).
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { api, ApiError } from '../api/client';
import { useLookups } from '../form/lookups';
import { formatDateTime } from '../i18n/format';
import { templatesApi, type MessageTemplate, type QuickReply } from '../settings/templates-api';
import { useSession } from '../shell/session';
import { ErrorBanner, useLoad } from '../ui/common';
import { inboxApi, type ConversationDetail } from './api';
import { useDuration } from './duration';
import { countdown, mentionsIn, windowState } from './logic';
import { fillVariables, insertQuickReply, matchQuickReplies, slashQuery } from './quick';

function useClock(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** Saved lists the composer offers; an older server without them (or no access) just offers none. */
function useSaved<T>(load: (signal: AbortSignal) => Promise<T[]>): T[] {
  const r = useLoad((signal) => load(signal).catch(() => [] as T[]), []);
  return r.data ?? [];
}

export function Composer({ c, onSent }: { c: ConversationDetail; onSent: () => void }) {
  const { t, i18n } = useTranslation();
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLTextAreaElement>(null);
  const { users } = useLookups();
  const me = useSession((s) => s.user);
  const now = useClock(10_000);
  const duration = useDuration();
  const win = windowState(c, now);
  const closed = mode === 'reply' && win.kind === 'closed';
  const quickReplies = useSaved((signal) => templatesApi.quickReplies(signal));
  const vars = useMemo(() => ({ name: c.customer.fullName, owner: me?.name, agent: me?.name }), [c.customer.fullName, me?.name]);

  const slash = slashQuery(text, caret);
  const matches = slash && dismissed !== slash.start ? matchQuickReplies(quickReplies, slash.query, c.language, me?.teamId ?? null) : [];
  const open = matches.length > 0;
  const current = Math.min(active, Math.max(0, matches.length - 1));

  async function run(action: () => Promise<unknown>, clear: () => void) {
    setBusy(true);
    setError(null);
    try {
      await action();
      clear();
      onSent();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    const body = text.trim();
    if (!body) return;
    if (mode === 'note') void run(() => inboxApi.note(c.id, body, mentionsIn(body, users)), () => setText(''));
    else void run(() => inboxApi.reply(c.id, { text: body }), () => setText(''));
  }
  function pick(r: QuickReply) {
    if (!slash) return;
    const next = insertQuickReply(text, slash, fillVariables(r.text, vars));
    setText(next.text);
    setCaret(next.caret);
    setActive(0);
    requestAnimationFrame(() => {
      box.current?.focus();
      box.current?.setSelectionRange(next.caret, next.caret);
    });
  }
  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((current + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        pick(matches[current]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(slash!.start);
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
  }
  const windowClosedError = error instanceof ApiError && error.code === 'window_closed';
  const listId = `quick-${c.id}`;
  return (
    <div className={`composer composer-${mode}`}>
      <div className="row">
        <div className="seg" role="tablist">
          <button type="button" role="tab" aria-selected={mode === 'reply'} className={mode === 'reply' ? 'active' : undefined} onClick={() => setMode('reply')}>
            {t('inbox.reply')}
          </button>
          <button type="button" role="tab" aria-selected={mode === 'note'} className={mode === 'note' ? 'active' : undefined} onClick={() => setMode('note')}>
            {t('inbox.note')}
          </button>
        </div>
        <span className="spacer" />
        {mode === 'reply' && win.kind === 'open' && <span className="muted small">{t('inbox.windowOpen', { time: duration(countdown(new Date(now + win.msLeft).toISOString(), now).parts) })}</span>}
        {mode === 'reply' && quickReplies.length > 0 && <span className="muted small">{t('inbox.quick.hint')}</span>}
      </div>
      {closed && (
        <div className="window-closed" role="status" data-testid="window-closed">
          <strong>{t('inbox.templateRequired')}</strong> {win.closedAt ? t('inbox.windowClosedAt', { time: formatDateTime(win.closedAt, i18n.language) }) : t('inbox.windowNeverOpened')}
          <TemplatePicker c={c} busy={busy} vars={vars} onSend={(body, clear) => void run(() => api.post(`/conversations/${c.id}/reply`, z.unknown(), body), clear)} />
        </div>
      )}
      {error ? (
        windowClosedError ? (
          <div className="error-banner" role="alert" data-testid="window-closed-error">
            <strong>{t('inbox.windowClosedError')}</strong> {(error as ApiError).message}
          </div>
        ) : (
          <ErrorBanner error={error} />
        )
      ) : null}
      <form onSubmit={submit} className="composer-form">
        <div className="composer-box">
          <textarea
            ref={box}
            aria-label={mode === 'note' ? t('inbox.notePlaceholder') : t('inbox.replyPlaceholder')}
            placeholder={mode === 'note' ? t('inbox.notePlaceholder') : t('inbox.replyPlaceholder')}
            value={text}
            rows={3}
            role="combobox"
            aria-expanded={open}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={open ? `${listId}-${current}` : undefined}
            onChange={(e) => {
              setText(e.target.value);
              setCaret(e.target.selectionStart ?? e.target.value.length);
              setActive(0);
            }}
            onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
            onKeyDown={onKeyDown}
          />
          {open && (
            <ul className="quick-replies" role="listbox" id={listId} aria-label={t('inbox.quick.title')} data-testid="quick-replies">
              {matches.map((r, i) => (
                <li
                  key={r.id}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === current}
                  className={i === current ? 'active' : undefined}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseEnter={() => setActive(i)}
                  onClick={() => pick(r)}
                >
                  <span className="quick-code">/{r.code}</span>
                  <span className="pill small">{t(`settings.languages.${r.language}`, { defaultValue: r.language })}</span>
                  <span className="quick-text">{fillVariables(r.text, vars)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          {mode === 'note' ? t('inbox.addNote') : t('inbox.send')}
        </button>
      </form>
    </div>
  );
}

type ReplyBody = { templateId: string; parameters: string[] } | { template: { name: string; language: string; parameters: string[] } };

/** Approved WhatsApp templates (the conversation's language first) with their preview; by name when none is saved. */
function TemplatePicker({ c, busy, vars, onSend }: { c: ConversationDetail; busy: boolean; vars: Record<string, string | undefined>; onSend: (body: ReplyBody, clear: () => void) => void }) {
  const { t } = useTranslation();
  const all = useSaved<MessageTemplate>((signal) => templatesApi.templates({ channel: 'whatsapp', status: 'approved' }, signal));
  const approved = useMemo(() => [...all].filter((x) => x.status === 'approved' && x.channel === 'whatsapp').sort((a, b) => Number(b.language === c.language) - Number(a.language === c.language) || a.name.localeCompare(b.name)), [all, c.language]);
  const [chosen, setChosen] = useState('');
  const [params, setParams] = useState<string[]>([]);
  const [tplName, setTplName] = useState('');
  const [tplLang, setTplLang] = useState(c.language || 'en');
  const tpl = approved.find((x) => x.id === chosen) ?? approved[0];
  const slots = tpl ? [...new Set([...tpl.body.matchAll(/\{\{\s*(\d+)\s*\}\}/g)].map((m) => Number(m[1])))].sort((a, b) => a - b) : [];
  const preview = tpl ? fillVariables(tpl.body, vars).replace(/\{\{\s*(\d+)\s*\}\}/g, (w, n: string) => params[Number(n) - 1] || w) : '';

  if (!approved.length) {
    return (
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (tplName.trim()) onSend({ template: { name: tplName.trim(), language: tplLang.trim() || 'en', parameters: [] } }, () => setTplName(''));
        }}
      >
        <input aria-label={t('inbox.templateName')} placeholder={t('inbox.templateName')} value={tplName} onChange={(e) => setTplName(e.target.value)} />
        <input aria-label={t('inbox.templateLanguage')} className="narrow" value={tplLang} onChange={(e) => setTplLang(e.target.value)} />
        <button type="submit" disabled={busy || !tplName.trim()}>
          {t('inbox.sendTemplate')}
        </button>
      </form>
    );
  }
  return (
    <form
      className="template-picker"
      data-testid="template-picker"
      onSubmit={(e) => {
        e.preventDefault();
        if (tpl) onSend({ templateId: tpl.id, parameters: slots.map((n) => params[n - 1] ?? '') }, () => setParams([]));
      }}
    >
      <label className="field-label" htmlFor={`tpl-${c.id}`}>
        {t('inbox.picker.label')}
      </label>
      <select id={`tpl-${c.id}`} value={tpl?.id ?? ''} onChange={(e) => { setChosen(e.target.value); setParams([]); }}>
        {approved.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name} · {t(`settings.languages.${x.language}`, { defaultValue: x.language })} · {t(`settings.templates.categories.${x.category ?? 'utility'}`)}
          </option>
        ))}
      </select>
      {slots.map((n) => (
        <input key={n} aria-label={t('inbox.picker.parameter', { n: `{{${n}}}` })} placeholder={t('inbox.picker.parameter', { n: `{{${n}}}` })} value={params[n - 1] ?? ''} onChange={(e) => { const next = [...params]; next[n - 1] = e.target.value; setParams(next); }} />
      ))}
      <p className="template-preview small" data-testid="template-preview">{preview}</p>
      <button type="submit" className="primary" disabled={busy || !tpl}>
        {t('inbox.sendTemplate')}
      </button>
    </form>
  );
}
