// The one catalogue that words what the server says by code: zod's issue codes (a request's
// fields, a node's settings), the reasons a node's schema gives, CSV row errors, tag-health
// advice, why two customers look alike, and system entries of the timeline. The server keeps
// its English text beside each code (for API clients); the editor words the code and its params
// in the UI language from the locale files, and falls back to the server's text for a code it
// does not know yet. Pure functions of (what the server sent, t), unit-tested.
import type { TFunction } from 'i18next';
import { formatDateTime, formatNumber, formatPercent } from './format';

type Params = Record<string, unknown>;
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** zod's "expected" types → the validatorMessages key that says what to write. */
const expectedKey: Record<string, string> = {
  string: 'text', number: 'number', int: 'int', bigint: 'int', boolean: 'bool', array: 'list', object: 'group', date: 'date',
};

/**
 * A zod issue (code + params as the server sends them) in the UI language; '' for a code not
 * worded here. `required` is the validator's own code for a missing value.
 */
export function zodIssueText(code: string | undefined, params: Params | undefined, t: TFunction): string {
  const p = params ?? {};
  const v = (key: string, o: Params = {}) => t(`validatorMessages.${key}`, o);
  switch (code) {
    case 'required':
      return v('required');
    case 'invalid_type':
      if (p.missing === true) return v('required');
      return v(expectedKey[str(p.expected)] ?? 'invalid');
    case 'invalid_value':
      return p.values ? v('oneOf', { values: str(p.values) }) : v('invalid');
    case 'too_small': {
      if (p.minimum === undefined) return v('invalid');
      const n = str(p.minimum);
      if (p.origin === 'string') return Number(p.minimum) <= 1 ? v('required') : v('minChars', { n });
      if (p.origin === 'array' || p.origin === 'set') return v('minItems', { n });
      return v(p.inclusive === false ? 'gt' : 'min', { n });
    }
    case 'too_big': {
      if (p.maximum === undefined) return v('invalid');
      const n = str(p.maximum);
      if (p.origin === 'string') return v('maxChars', { n });
      if (p.origin === 'array' || p.origin === 'set') return v('maxItems', { n });
      return v(p.inclusive === false ? 'lt' : 'max', { n });
    }
    case 'invalid_format':
      if (p.format === 'url') return v('url', { example: 'https://example.com/hook' });
      if (p.format === 'email') return v('email');
      if (p.format === 'date' || p.format === 'datetime') return v('date');
      return v('format');
    case 'unrecognized_keys':
      return v('unknownKeys', { keys: str(p.keys) });
    case 'invalid_union':
      return v('union');
    case 'not_multiple_of':
    case 'invalid_key':
    case 'invalid_element':
      return v('invalid');
    default:
      return '';
  }
}

/** The codes zodIssueText words (the unit test checks each has a wording in every locale). */
export const ZOD_ISSUE_CODES = ['required', 'invalid_type', 'invalid_value', 'too_small', 'too_big', 'invalid_format', 'unrecognized_keys', 'invalid_union', 'not_multiple_of', 'invalid_key', 'invalid_element'] as const;

/**
 * A validator problem's reason (a node schema's own `said(…)` reason or a zod issue code) in the
 * UI language; '' when the reason is unknown here (then keep the validator's message).
 */
export function reasonText(reason: string | undefined, params: Params | undefined, t: TFunction): string {
  if (!reason) return '';
  const own = t(`nodeReasons.${reason}`, { ...(params ?? {}), defaultValue: '' });
  return own || zodIssueText(reason, params, t);
}

export interface RowErrorLike {
  code?: string | null;
  params?: Params | null;
  message: string;
}

/** One CSV row error (what is wrong with a cell or the row) in the UI language. */
export function rowErrorText(e: RowErrorLike, t: TFunction): string {
  if (!e.code) return e.message;
  const p = { ...(e.params ?? {}) };
  if (typeof p.field === 'string') p.field = t(`fields.${p.field}`, { defaultValue: p.field });
  if (typeof p.other === 'string') p.other = t(`fields.${p.other}`, { defaultValue: p.other });
  if (e.code === 'custom_invalid' && typeof p.type === 'string') {
    const typed = t(`rowErrors.custom_invalid_${p.type}`, { ...p, defaultValue: '' });
    if (typed) return typed;
  }
  return t(`rowErrors.${e.code}`, { ...p, defaultValue: e.message });
}

/** A row error with the column it is in: "電話: 「12345」不是 TW 的有效電話號碼…". */
export function cellErrorText(e: RowErrorLike & { column?: string | null }, t: TFunction): string {
  const text = rowErrorText(e, t);
  return e.column ? `${e.column}: ${text}` : text;
}

/** Tag-health advice ("split it", "merge it into …") in the UI language. */
export function tagAdviceText(
  advice: { code: string; params: { share: number; peer?: string } } | null | undefined,
  fallback: string | null | undefined,
  t: TFunction,
  lng: string,
): string {
  if (!advice) return fallback ?? '';
  return t(`tagAdvice.${advice.code}`, { share: formatPercent(advice.params.share, lng), peer: advice.params.peer ?? '', defaultValue: fallback ?? '' });
}

/** Why two customers look alike ("same phone 09•• ••• 678", "name 92 % similar"). */
export function matchReasonText(r: { code: string; params?: { phone?: string; email?: string; percent?: number } }, t: TFunction, lng: string): string {
  const p = r.params ?? {};
  return t(`matchReasons.${r.code}`, {
    phone: p.phone ?? '',
    email: p.email ?? '',
    percent: p.percent === undefined ? '' : formatPercent(p.percent / 100, lng),
    defaultValue: r.code,
  });
}

export interface TimelineEntryLike {
  kind: string;
  body: string | null;
  payload: Record<string, unknown>;
}

const signed = (n: unknown, lng: string) => {
  const x = Number(n);
  return Number.isFinite(x) ? `${x > 0 ? '+' : ''}${formatNumber(x, lng)}` : str(n);
};

/**
 * The text of a timeline entry the product wrote itself (tags added, removed or expired, points,
 * merges, imports, failed flows), worded from its payload in the UI language; null for entries a
 * person wrote (notes, messages, a notification's own title and text) — those keep their body.
 */
export function timelineText(i: TimelineEntryLike, t: TFunction, lng: string): string | null {
  if (i.kind === 'note' || i.kind === 'message_in' || i.kind === 'message_out') return null;
  const p = i.payload ?? {};
  const date = (v: unknown) => (typeof v === 'string' && v ? formatDateTime(v, lng) : '');
  const gap = lng.startsWith('zh') ? '' : ' ';
  const conflicts = Array.isArray(p.conflicts) && p.conflicts.length ? `${gap}${t('timelineText.conflicts', { count: p.conflicts.length })}` : '';
  switch (p.event) {
    case 'tag_added':
      return p.expiresAt ? t('timelineText.tag_added_expires', { tag: str(p.tag), date: date(p.expiresAt) }) : t('timelineText.tag_added', { tag: str(p.tag) });
    case 'tag_removed':
      return t('timelineText.tag_removed', { tag: str(p.tag) });
    case 'tag_expired':
      return t('timelineText.tag_expired', { tag: str(p.tag) });
    case 'tag_reminder':
      return p.since ? t('timelineText.tag_reminder', { tag: str(p.tag), date: date(p.since) }) : null;
    case 'points':
      return p.reason
        ? t('timelineText.points_reason', { delta: signed(p.delta, lng), reason: str(p.reason), balance: formatNumber(Number(p.balance), lng) })
        : t('timelineText.points', { delta: signed(p.delta, lng), balance: formatNumber(Number(p.balance), lng) });
    case 'points_changed':
      return t('timelineText.points_changed', { delta: signed(p.delta, lng) });
    case 'merge':
      return (p.mergedName ? t('timelineText.merge', { name: str(p.mergedName) }) : t('timelineText.merge_unnamed')) + conflicts;
    case 'import': {
      if (i.kind !== 'system') return null;
      const file = p.file ? str(p.file) : t('timelineText.aFile');
      const lines = Array.isArray(p.lines) ? p.lines.join(', ') : '';
      if (!Array.isArray(p.filled)) return t('timelineText.import_created', { file, lines }) + conflicts;
      const fields = p.filled.map((f) => t(`fields.${String(f)}`, { defaultValue: String(f) })).join(', ');
      return (fields ? t('timelineText.import_matched', { file, lines, fields }) : t('timelineText.import_unchanged', { file, lines })) + conflicts;
    }
    case 'owner_assigned':
      return t('timelineText.owner_assigned');
    case 'flow_run_failed':
      return p.flowName ? t('timelineText.flow_run_failed', { flow: str(p.flowName) }) : t('timelineText.flow_run_failed_unnamed');
    default:
      return null;
  }
}

/** The payload events timelineText words (checked against the server's source by the unit test). */
export const TIMELINE_EVENTS = ['tag_added', 'tag_removed', 'tag_expired', 'tag_reminder', 'points', 'points_changed', 'merge', 'import', 'owner_assigned', 'flow_run_failed', 'notify_user'] as const;
