// Pure pieces of the inbox screen: delivery ticks, WhatsApp's 24-hour window, SLA countdowns,
// and the snooze choices.
import type { Conversation, Message } from './api';

export type Tick = { symbol: string; state: 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'none' };

/** ✓ sent, ✓✓ delivered, blue ✓✓ read, ! failed, … still queued; inbound and notes have none. */
export function tickFor(m: Pick<Message, 'direction' | 'status'>): Tick {
  if (m.direction !== 'out') return { symbol: '', state: 'none' };
  switch (m.status) {
    case 'sent':
      return { symbol: '✓', state: 'sent' };
    case 'delivered':
      return { symbol: '✓✓', state: 'delivered' };
    case 'read':
      return { symbol: '✓✓', state: 'read' };
    case 'failed':
      return { symbol: '!', state: 'failed' };
    default:
      return { symbol: '…', state: 'queued' };
  }
}

export type WindowState = { kind: 'not_whatsapp' } | { kind: 'open'; msLeft: number } | { kind: 'closed'; closedAt: string | null };

/** Free text is allowed on WhatsApp only until windowEndsAt (24 h after the customer's last message). */
export function windowState(c: Pick<Conversation, 'channel' | 'windowEndsAt'>, now: number): WindowState {
  if (c.channel !== 'whatsapp') return { kind: 'not_whatsapp' };
  if (!c.windowEndsAt) return { kind: 'closed', closedAt: null };
  const end = Date.parse(c.windowEndsAt);
  return end > now ? { kind: 'open', msLeft: end - now } : { kind: 'closed', closedAt: c.windowEndsAt };
}

/** The deadline the agent is working against: the first response, then the next one. */
export function slaDue(c: Pick<Conversation, 'firstResponseDueAt' | 'nextResponseDueAt' | 'status'>): string | null {
  if (c.status === 'resolved') return null;
  return c.firstResponseDueAt ?? c.nextResponseDueAt ?? null;
}

export type DurationUnit = 'd' | 'h' | 'm' | 's';

/**
 * "1h 05m", "12m", "45s" (compact, language-neutral), and `parts`, the two largest units for a
 * localized "1 h 20 min" (InboxView's `useDuration`); negative durations are overdue.
 */
export function countdown(due: string, now: number): { text: string; overdue: boolean; soon: boolean; parts: [DurationUnit, number][] } {
  const ms = Date.parse(due) - now;
  const overdue = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const text = d > 0 ? `${d}d ${h}h` : h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m` : `${s}s`;
  const parts: [DurationUnit, number][] = d > 0 ? [['d', d], ['h', h]] : h > 0 ? [['h', h], ['m', m]] : m > 0 ? [['m', m]] : [['s', s]];
  return { text, overdue, soon: !overdue && ms < 30 * 60_000, parts: parts.filter(([, n], i) => i === 0 || n > 0) };
}

/** Snooze choices: in 1 hour, in 4 hours, tomorrow at 09:00 local time. */
export function snoozeUntil(choice: '1h' | '4h' | 'tomorrow', now: Date): Date {
  if (choice === '1h') return new Date(now.getTime() + 3_600_000);
  if (choice === '4h') return new Date(now.getTime() + 4 * 3_600_000);
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(9, 0, 0, 0);
  return d;
}

/** The users a note mentions: "@Name" (longest name first, so "@Ana María" beats "@Ana"), case-insensitive. */
export function mentionsIn(text: string, users: { id: string; name: string }[]): string[] {
  const found = new Set<string>();
  const lower = text.toLowerCase();
  const sorted = [...users].filter((u) => u.name.trim()).sort((a, b) => b.name.length - a.name.length);
  let i = lower.indexOf('@');
  while (i >= 0) {
    const rest = lower.slice(i + 1);
    const u = sorted.find((x) => rest.startsWith(x.name.toLowerCase()));
    if (u) found.add(u.id);
    i = lower.indexOf('@', i + 1);
  }
  return [...found];
}
