// The one line a node card shows under its title: what the node's settings say ("Wait 3 days",
// "Enters “Cold potentials”", "Phone call “Call {name}”, due in 24 hours"), in the UI language.
// Driven by the node type and its config only; names of segments, users and flows come from the
// lists the editor already loads. Settings too broken to read give no line (the card's problem
// badge says what is wrong). Pure, unit-tested.
import type { TFunction } from 'i18next';
import { describeCron } from '../form/cron';
import { formatDateTime, formatDuration, formatNumber, formatPercent } from '../i18n/format';

export interface SummaryContext {
  t: TFunction;
  lng: string;
  /** id → name of saved segments, users and flows (what the form widgets pick from) */
  segments?: ReadonlyMap<string, string>;
  users?: ReadonlyMap<string, string>;
  flows?: ReadonlyMap<string, string>;
}

type Config = Record<string, unknown>;
const MAX = 80;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const clip = (s: string, n = MAX): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const firstLine = (s: string): string => s.split(/\r?\n/).find((l) => l.trim())?.trim() ?? '';

/** "3 days" for a valid `{ amount, unit }`, else null. */
export function durationText(value: unknown, lng: string): string | null {
  if (!value || typeof value !== 'object') return null;
  const { amount, unit } = value as { amount?: unknown; unit?: unknown };
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || typeof unit !== 'string') return null;
  return formatDuration(amount, unit, lng);
}

function nameOf(map: ReadonlyMap<string, string> | undefined, id: unknown): string {
  const key = str(id);
  return key ? (map?.get(key) ?? key) : '';
}

const fieldLabel = (field: unknown, t: TFunction): string => {
  const f = str(field);
  const key = f.startsWith('custom.') ? f.slice('custom.'.length) : f;
  return t(`fields.${key}`, { defaultValue: key });
};
const enumLabel = (v: unknown, t: TFunction): string => t(`enum.${str(v).replace(/\./g, '_')}`, { defaultValue: str(v) });

/** A condition tree in one line: "Has tag “potential” and Last follow-up more than 30 days ago". */
export function conditionText(c: unknown, ctx: SummaryContext, depth = 0): string | null {
  const { t, lng } = ctx;
  if (!c || typeof c !== 'object') return null;
  const cond = c as Config;
  switch (cond.type) {
    case 'tag':
      return str(cond.tag) ? t(cond.operator === 'lacks' ? 'summary.condLacksTag' : 'summary.condHasTag', { tag: str(cond.tag) }) : null;
    case 'segment': {
      const segment = nameOf(ctx.segments, cond.segmentId);
      return segment ? t(cond.operator === 'not_in' ? 'summary.condNotInSegment' : 'summary.condInSegment', { segment }) : null;
    }
    case 'days_since':
      if (!str(cond.field) || typeof cond.days !== 'number') return null;
      return t('summary.condDaysSince', { field: fieldLabel(cond.field, t), op: t(`cond.${cond.operator === 'less_than' ? 'less_than' : 'more_than'}`), days: formatDuration(cond.days, 'days', lng) });
    case 'field': {
      if (!str(cond.field)) return null;
      const op = t(`cond.op_${str(cond.operator)}`, { defaultValue: str(cond.operator) });
      const value = Array.isArray(cond.value) ? cond.value.map(str).join(', ') : str(cond.value);
      return [fieldLabel(cond.field, t), op, value].filter(Boolean).join(' ');
    }
    case 'not': {
      const inner = conditionText(cond.condition, ctx, depth + 1);
      return inner ? t('summary.condNot', { condition: inner }) : null;
    }
    case 'and':
    case 'or': {
      const list = Array.isArray(cond.conditions) ? cond.conditions : [];
      if (list.length === 0) return null;
      if (list.length === 1) return conditionText(list[0], ctx, depth);
      const parts = depth === 0 ? list.map((x) => conditionText(x, ctx, depth + 1)) : [];
      if (parts.length === 0 || parts.some((p) => p === null)) return t('summary.condCount', { count: list.length });
      return parts.join(t(cond.type === 'and' ? 'summary.and' : 'summary.or'));
    }
    default:
      return null;
  }
}

type Summarize = (cfg: Config, ctx: SummaryContext) => string | null;

const summaries: Record<string, Summarize> = {
  'trigger.segment_entry': (cfg, ctx) => {
    const segment = nameOf(ctx.segments, cfg.segmentId);
    return segment ? ctx.t('summary.entersSegment', { segment }) : null;
  },
  'trigger.schedule': (cfg, ctx) => {
    const when = str(cfg.cron) ? describeCron(str(cfg.cron), ctx.t, ctx.lng) : '';
    const segment = nameOf(ctx.segments, cfg.segmentId);
    return [when, segment && `“${segment}”`].filter(Boolean).join(' · ') || null;
  },
  'trigger.tag_changed': (cfg, { t }) => (str(cfg.tag) ? t(cfg.change === 'removed' ? 'summary.tagRemoved' : 'summary.tagAdded', { tag: str(cfg.tag) }) : null),
  'trigger.customer_created': (cfg, { t }) => t(`summary.origin_${cfg.origin === 'created' || cfg.origin === 'imported' ? cfg.origin : 'any'}`),
  'trigger.birthday': (cfg, { t }) => {
    const days = typeof cfg.daysBefore === 'number' ? cfg.daysBefore : 0;
    const time = str(cfg.atTime) || '09:00';
    return days > 0 ? t('summary.birthdayBefore', { count: days, time }) : t('summary.birthdayOn', { time });
  },
  'trigger.date_field': (cfg, { t, lng }) => {
    if (!str(cfg.field)) return null;
    const offset = typeof cfg.offsetDays === 'number' ? cfg.offsetDays : 0;
    const field = fieldLabel(cfg.field, t);
    if (offset === 0) return t('summary.dateOn', { field });
    return t(offset > 0 ? 'summary.dateAfter' : 'summary.dateBefore', { field, days: formatDuration(Math.abs(offset), 'days', lng) });
  },
  'trigger.field_changed': (cfg, { t }) => {
    if (!str(cfg.field)) return null;
    const field = fieldLabel(cfg.field, t);
    return str(cfg.to) ? t('summary.fieldChangesTo', { field, value: clip(str(cfg.to), 30) }) : t('summary.fieldChanges', { field });
  },
  'trigger.inbound_message': (cfg, { t }) => {
    const keywords = Array.isArray(cfg.keywords) ? cfg.keywords.map(str).filter(Boolean) : [];
    const channel = cfg.channel && cfg.channel !== 'any' ? enumLabel(cfg.channel, t) : '';
    const what = cfg.match === 'any' || keywords.length === 0 ? t('summary.anyMessage') : t('summary.messageWith', { keywords: clip(keywords.join(', '), 50) });
    return [channel, what].filter(Boolean).join(' · ');
  },
  'trigger.webhook': (cfg) => (str(cfg.hookId) ? `/api/hooks/${str(cfg.hookId)}` : null),
  'action.send_message': (cfg, ctx) => {
    const { t } = ctx;
    const channel = enumLabel(cfg.channel || 'email', t);
    const wa = cfg.whatsappTemplate && typeof cfg.whatsappTemplate === 'object' ? str((cfg.whatsappTemplate as Config).name) : '';
    const what = wa
      ? t('summary.whatsappTemplate', { name: wa })
      : str(cfg.templateId)
        ? t('summary.savedTemplate')
        : cfg.channel === 'email' || !cfg.channel
          ? str(cfg.subject)
          : firstLine(str(cfg.body));
    return what ? `${channel}: ${clip(what)}` : channel;
  },
  'action.create_task': (cfg, ctx) => {
    const { t, lng } = ctx;
    if (!str(cfg.title)) return null;
    const type = enumLabel(cfg.taskType || 'call', t);
    const due = durationText(cfg.dueIn ?? { amount: 24, unit: 'hours' }, lng);
    const who = cfg.assignTo === 'user' ? nameOf(ctx.users, cfg.userId) : '';
    const text = due ? t('summary.taskDue', { type, title: clip(str(cfg.title), 40), due }) : t('summary.task', { type, title: clip(str(cfg.title), 40) });
    return who ? `${text} · ${who}` : text;
  },
  'action.add_tag': (cfg, { t, lng }) => {
    if (!str(cfg.tag)) return null;
    const keep = durationText(cfg.expiresAfter, lng);
    return keep ? t('summary.addTagFor', { tag: str(cfg.tag), duration: keep }) : t('summary.addTag', { tag: str(cfg.tag) });
  },
  'action.remove_tag': (cfg, { t }) => (str(cfg.tag) ? t('summary.removeTag', { tag: str(cfg.tag) }) : null),
  'action.add_note': (cfg) => (str(cfg.text) ? clip(firstLine(str(cfg.text))) : null),
  'action.assign_owner': (cfg, ctx) => {
    const { t } = ctx;
    if (cfg.strategy === 'specific') {
      const user = nameOf(ctx.users, cfg.userId);
      return user ? t('summary.ownerIs', { user }) : null;
    }
    const strategy = enumLabel(cfg.strategy || 'round_robin', t);
    const ids = Array.isArray(cfg.userIds) ? cfg.userIds.map(str).filter(Boolean) : [];
    if (ids.length) return `${strategy} · ${clip(ids.map((id) => nameOf(ctx.users, id)).join(', '), 50)}`;
    return str(cfg.teamId) ? `${strategy} · ${t('summary.team')}` : strategy;
  },
  'action.change_points': (cfg, { t, lng }) => {
    if (typeof cfg.delta !== 'number' || cfg.delta === 0) return null;
    const points = t('summary.points', { count: cfg.delta, points: formatNumber(cfg.delta, lng, { signDisplay: 'always' }) });
    return str(cfg.reason) ? `${points} · ${clip(str(cfg.reason), 40)}` : points;
  },
  'action.http_webhook': (cfg) => {
    const url = str(cfg.url);
    if (!url) return null;
    let host = url;
    try {
      host = new URL(url).host;
    } catch {
      /* not a full address yet: show what was typed */
    }
    return `${str(cfg.method) || 'POST'} ${clip(host, 50)}`;
  },
  'action.notify_user': (cfg, ctx) => {
    const { t } = ctx;
    const who = cfg.recipient === 'user' ? nameOf(ctx.users, cfg.userId) : t('summary.theOwner');
    if (!who) return null;
    return str(cfg.title) ? t('summary.notifyTitle', { who, title: clip(str(cfg.title), 40) }) : t('summary.notify', { who });
  },
  'action.set_priority': (cfg, { t }) => (str(cfg.priority) ? t('summary.priority', { priority: str(cfg.priority) }) : null),
  'action.start_flow': (cfg, ctx) => {
    const flow = nameOf(ctx.flows, cfg.flowId);
    return flow ? ctx.t('summary.startFlow', { flow }) : null;
  },
  'action.update_field': (cfg, { t }) => {
    if (!str(cfg.field)) return null;
    return t('summary.setField', { field: fieldLabel(cfg.field, t), value: cfg.value === null || cfg.value === undefined || cfg.value === '' ? '—' : clip(str(cfg.value), 30) });
  },
  'condition.if_else': (cfg, ctx) => {
    const text = conditionText(cfg.condition, ctx);
    return text ? clip(text) : null;
  },
  'condition.switch': (cfg, { t }) => {
    const cases = Array.isArray(cfg.cases) ? (cfg.cases as Config[]) : [];
    if (cases.length === 0) return null;
    return clip(`${cases.map((c) => str(c.label) || str(c.id)).join(' · ')} · ${t('summary.otherwise')}`);
  },
  'control.ab_split': (cfg, { lng }) => {
    const variants = Array.isArray(cfg.variants) ? (cfg.variants as Config[]) : [];
    if (variants.length === 0) return null;
    return clip(variants.map((v) => `${str(v.label) || str(v.id)} ${formatPercent(typeof v.percent === 'number' ? v.percent / 100 : null, lng)}`).join(' · '));
  },
  'control.goal': (cfg, { t }) => (str(cfg.name) ? t('summary.goal', { name: clip(str(cfg.name), 40), event: enumLabel(cfg.event || 'order.created', t) }) : null),
  'control.wait': (cfg, { t, lng }) => {
    const d = durationText(cfg.duration, lng);
    return d ? t('summary.wait', { duration: d }) : null;
  },
  'control.wait_for_event': (cfg, { t, lng }) => {
    const event = enumLabel(cfg.event || 'message.received', t);
    const what = cfg.event === 'tag.added' && str(cfg.tag) ? `${event} “${str(cfg.tag)}”` : event;
    const d = durationText(cfg.timeout, lng);
    return d ? t('summary.waitForEvent', { event: what, duration: d }) : what;
  },
  'control.wait_until': (cfg, { t, lng }) => {
    switch (cfg.mode ?? 'business_hours') {
      case 'datetime':
        return str(cfg.at) ? t('summary.until', { at: formatDateTime(str(cfg.at), lng) }) : null;
      case 'preferred_slot':
        return enumLabel('preferred_slot', t);
      case 'time_of_day':
        return t('summary.atTime', { time: str(cfg.time) || '09:00' });
      default:
        return t('summary.businessHours', { start: str(cfg.start) || '09:00', end: str(cfg.end) || '18:00' });
    }
  },
};

/** The card's one-line summary of a node's settings, or null when there is nothing to say. */
export function nodeSummary(nodeType: string, config: unknown, ctx: SummaryContext): string | null {
  const summarize = summaries[nodeType.replace(/@\d+$/, '')];
  if (!summarize) return null;
  try {
    return summarize(config && typeof config === 'object' ? (config as Config) : {}, ctx) || null;
  } catch {
    return null;
  }
}
