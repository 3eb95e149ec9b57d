// Steps and recorded actions of a run as a person reads them ("Phone call task for 王小明, due
// Thu 3 Dec 14:00", "Email to m***@example.com: “Welcome”", "Waits 3 days (until …)") instead of
// raw JSON with millisecond timestamps and internal ids. Dates, numbers and durations go through
// Intl in the UI language. Contacts arrive masked from the server for roles without contact.unmask.
import type { TFunction } from 'i18next';

export interface Readable {
  /** one line: what happened */
  headline: string;
  /** the text that would be sent / the task's title, when there is one */
  detail?: string;
}

export interface ReadContext {
  t: TFunction;
  lng: string;
  /** the run's customer, when known (recorded actions carry only its id) */
  customerName?: string | null;
}

type Dict = Record<string, unknown>;
const str = (a: Dict, k: string): string | null => (typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : null);
const num = (a: Dict, k: string): number | null => (typeof a[k] === 'number' && Number.isFinite(a[k]) ? (a[k] as number) : null);

/** "Thu 3 Dec 14:00" (en), "12月3日 週四 14:00" (zh-TW) …: weekday, day, month and time, the year only when it is not this year's. */
export function formatWhen(value: number | string | Date, lng: string, now: Date = new Date()): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(lng, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}

const intlUnits: Record<string, string> = { seconds: 'second', minutes: 'minute', hours: 'hour', days: 'day', weeks: 'week', months: 'month' };

/** { amount: 3, unit: 'days' } → "3 days" / "3 天" / "3 días" (Intl unit formatting). */
export function formatDuration(d: unknown, lng: string): string | null {
  if (!d || typeof d !== 'object') return null;
  const { amount, unit } = d as { amount?: unknown; unit?: unknown };
  if (typeof amount !== 'number' || typeof unit !== 'string') return null;
  const u = intlUnits[unit];
  if (!u) return `${amount} ${unit}`;
  return new Intl.NumberFormat(lng, { style: 'unit', unit: u, unitDisplay: 'long' }).format(amount);
}

function channelName(ctx: ReadContext, channel: string | null): string {
  if (!channel) return ctx.t('readable.message');
  return ctx.t(`channels.${channel}`, { defaultValue: channel });
}

/** One recorded action of a test run (what would have been done). */
export function describeAction(action: unknown, ctx: ReadContext): Readable {
  const { t, lng } = ctx;
  if (!action || typeof action !== 'object') return { headline: String(action) };
  const a = action as Dict;
  const name = ctx.customerName || t('readable.theCustomer');
  switch (str(a, 'action')) {
    case 'create_task': {
      const type = str(a, 'taskType') ?? 'other';
      const due = num(a, 'dueAt') ?? str(a, 'dueAt');
      const headline = due !== null
        ? t('readable.task', { type: t(`tasks.type.${type}`, { defaultValue: type }), name, due: formatWhen(due, lng) })
        : t('readable.taskNoDue', { type: t(`tasks.type.${type}`, { defaultValue: type }), name });
      return { headline, ...(str(a, 'title') ? { detail: [str(a, 'title'), str(a, 'notes')].filter(Boolean).join(' — ') } : {}) };
    }
    case 'send_message': {
      const to = str(a, 'to');
      const subject = str(a, 'subject');
      const channel = channelName(ctx, str(a, 'channel'));
      const headline = subject
        ? t('readable.sendSubject', { channel, to: to ?? name, subject })
        : t('readable.send', { channel, to: to ?? name });
      return { headline, ...(str(a, 'text') ? { detail: str(a, 'text')! } : {}) };
    }
    case 'add_tag': {
      const expires = num(a, 'expiresAt') ?? str(a, 'expiresAt');
      return { headline: expires !== null ? t('readable.addTagUntil', { tag: str(a, 'tag'), until: formatWhen(expires, lng) }) : t('readable.addTag', { tag: str(a, 'tag') }) };
    }
    case 'remove_tag':
      return { headline: t('readable.removeTag', { tag: str(a, 'tag') }) };
    case 'update_field':
      return { headline: t('readable.updateField', { field: str(a, 'field'), value: a.value === null || a.value === undefined || a.value === '' ? '—' : String(a.value) }) };
    case 'set_owner':
      return { headline: t('readable.setOwner', { name }) };
    case 'set_priority':
      return { headline: t('readable.setPriority', { priority: t(`enum.${String(a.priority)}`, { defaultValue: String(a.priority) }) }) };
    case 'change_points': {
      const delta = num(a, 'delta') ?? 0;
      const points = new Intl.NumberFormat(lng, { signDisplay: 'always' }).format(delta);
      return { headline: t('readable.points', { points }), ...(str(a, 'reason') ? { detail: str(a, 'reason')! } : {}) };
    }
    case 'add_note':
      return { headline: t('readable.note', { name }), ...(str(a, 'text') ? { detail: str(a, 'text')! } : {}) };
    case 'notify_user':
      return { headline: t('readable.notify', { title: str(a, 'title') ?? '' }), ...(str(a, 'body') ? { detail: str(a, 'body')! } : {}) };
    case 'http_webhook':
      return { headline: t('readable.webhook', { method: str(a, 'method') ?? 'POST', url: str(a, 'url') ?? '' }) };
    case 'start_flow':
      return { headline: t('readable.startFlow', { name }) };
    default: {
      const rest = Object.fromEntries(Object.entries(a).filter(([k, v]) => k !== 'nodeId' && k !== 'customerId' && v !== null && v !== undefined && v !== ''));
      return { headline: str(a, 'action') ?? str(a, 'type') ?? '', ...(Object.keys(rest).length ? { detail: JSON.stringify(rest) } : {}) };
    }
  }
}

const unitMs: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000, weeks: 604_800_000 };
/** start + { amount, unit } (calendar days as 24 h: the runtime records the exact end once the wait is over). */
function plus(start: string | number | null | undefined, d: unknown): number | null {
  if (start === null || start === undefined || !d || typeof d !== 'object') return null;
  const { amount, unit } = d as { amount?: unknown; unit?: unknown };
  const s = new Date(start).getTime();
  if (typeof amount !== 'number' || typeof unit !== 'string' || !unitMs[unit] || Number.isNaN(s)) return null;
  return s + amount * unitMs[unit]!;
}

export interface StepLike {
  status?: string | null;
  output?: unknown;
  /** when the step started (ISO), as run steps and test-run paths carry it */
  at?: string | number | null;
}

/**
 * What a step did, in one line, or null when its status and port already say everything.
 * `nodeType` is the manifest key (control.wait@1 …), `config` the node's settings; `nextAt` is
 * when the following step started (a test run skips the wait: its end is the next step's start).
 */
export function describeStep(step: StepLike, nodeType: string | undefined, config: unknown, ctx: ReadContext, nextAt?: string | number | null): string | null {
  const { t, lng } = ctx;
  const out = (step.output && typeof step.output === 'object' ? step.output : {}) as Dict;
  const cfg = (config && typeof config === 'object' ? config : {}) as Dict;
  const key = (nodeType ?? '').replace(/@\d+$/, '');
  const skippedInTest = str(out, 'skipped') !== null;
  const end = (ms: number | null) => {
    if (ms !== null) return ms;
    if (nextAt !== undefined && nextAt !== null) {
      const n = new Date(nextAt).getTime();
      const s = step.at !== undefined && step.at !== null ? new Date(step.at).getTime() : NaN;
      if (!Number.isNaN(n) && (Number.isNaN(s) || n > s)) return n;
    }
    return null;
  };
  const withUntil = (base: string, until: number | null) =>
    until !== null ? t('readable.until', { what: base, until: formatWhen(until, lng) }) : base;
  if (key === 'control.wait') {
    const d = formatDuration(cfg.duration, lng);
    const base = d ? t('readable.waits', { duration: d }) : t('readable.waitsPlain');
    // a wait still going has no recorded end yet: its start plus the length
    const until = end(num(out, 'untilMs')) ?? (step.status === 'waiting' ? plus(step.at, cfg.duration) : null);
    return withUntil(base, until) + (skippedInTest ? ` · ${t('readable.skipped')}` : '');
  }
  if (key === 'control.wait_until') {
    return withUntil(t('readable.waitsPlain'), end(num(out, 'untilMs'))) + (skippedInTest ? ` · ${t('readable.skipped')}` : '');
  }
  if (key === 'control.wait_for_event') {
    if (str(out, 'event')) return t('readable.eventCame', { event: str(out, 'event') });
    const d = formatDuration(cfg.timeout, lng);
    const base = d ? t('readable.waitsUpTo', { duration: d }) : t('readable.waitsPlain');
    const until = end(num(out, 'timedOutAtMs')) ?? (step.status === 'waiting' ? plus(step.at, cfg.timeout) : null);
    return withUntil(base, until) + (skippedInTest ? ` · ${t('readable.skipped')}` : '');
  }
  if (str(out, 'heldBy')) return withUntil(t(`readable.held.${str(out, 'heldBy')}`, { defaultValue: t('readable.waitsPlain') }), num(out, 'untilMs'));
  if (step.status === 'skipped' && str(out, 'reason')) return t('readable.skippedBecause', { reason: str(out, 'reason') });
  if (key === 'action.create_task' && out.dueAt !== undefined) {
    const type = typeof cfg.taskType === 'string' ? cfg.taskType : 'other';
    const due = num(out, 'dueAt') ?? str(out, 'dueAt');
    if (due !== null) return t('readable.task', { type: t(`tasks.type.${type}`, { defaultValue: type }), name: ctx.customerName || t('readable.theCustomer'), due: formatWhen(due, lng) });
  }
  if (key === 'action.send_message' && str(out, 'providerMessageId')) {
    // a subject with variables ({name} …) is shown in full by the recorded action, not here
    return typeof cfg.subject === 'string' && cfg.subject && !/\{[^}]+\}/.test(cfg.subject)
      ? t('readable.sentSubject', { channel: channelName(ctx, str(out, 'channel')), subject: cfg.subject })
      : t('readable.sent', { channel: channelName(ctx, str(out, 'channel')) });
  }
  if (str(out, 'goal')) return t('readable.goal', { goal: str(out, 'goal') });
  return null;
}
