// Cron expressions (5 fields) for the schedule trigger: a syntax check with a message per field,
// and a plain-language reading for the common shapes managers use.
import type { TFunction } from 'i18next';
const ranges = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dayOfMonth', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'dayOfWeek', min: 0, max: 7 },
] as const;

export type CronField = (typeof ranges)[number]['name'];

function validPart(part: string, min: number, max: number): boolean {
  const [base, step] = part.split('/');
  if (step !== undefined && !/^\d+$/.test(step)) return false;
  if (base === '*') return true;
  const m = /^(\d+)(?:-(\d+))?$/.exec(base ?? '');
  if (!m) return false;
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  return a >= min && b <= max && a <= b;
}

/** null when valid, otherwise the first field in error. */
export function cronError(expr: string): CronField | 'count' | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return 'count';
  for (let i = 0; i < 5; i++) {
    const r = ranges[i]!;
    if (!parts[i]!.split(',').every((p) => validPart(p, r.min, r.max))) return r.name;
  }
  return null;
}

export type CronReading =
  | { kind: 'everyMinute' }
  | { kind: 'hourly'; minute: number }
  | { kind: 'daily'; time: string }
  | { kind: 'weekly'; time: string; weekdays: number[] }
  | { kind: 'monthly'; time: string; day: number }
  | { kind: 'custom' };

export function readCron(expr: string): CronReading {
  if (cronError(expr)) return { kind: 'custom' };
  const [mi, h, dom, mon, dow] = expr.trim().split(/\s+/) as [string, string, string, string, string];
  const num = /^\d+$/;
  if ([mi, h, dom, mon, dow].every((p) => p === '*')) return { kind: 'everyMinute' };
  if (num.test(mi) && h === '*' && dom === '*' && mon === '*' && dow === '*') return { kind: 'hourly', minute: Number(mi) };
  if (!num.test(mi) || !num.test(h) || mon !== '*') return { kind: 'custom' };
  const time = `${h.padStart(2, '0')}:${mi.padStart(2, '0')}`;
  if (dom === '*' && dow === '*') return { kind: 'daily', time };
  if (num.test(dom) && dow === '*') return { kind: 'monthly', time, day: Number(dom) };
  if (dom === '*' && /^[\d,-]+$/.test(dow)) {
    const days = new Set<number>();
    for (const part of dow.split(',')) {
      const [a, b] = part.split('-').map(Number) as [number, number | undefined];
      for (let d = a; d <= (b ?? a); d++) days.add(d % 7);
    }
    return { kind: 'weekly', time, weekdays: [...days].sort() };
  }
  return { kind: 'custom' };
}

/** Localised weekday names (0 = Sunday) through Intl. */
export function weekdayName(day: number, lng: string): string {
  // 2024-01-07 was a Sunday.
  return new Intl.DateTimeFormat(lng, { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 7 + day)));
}

/** A valid schedule in words of the UI language ("Every day at 09:00"); "Custom schedule" when it has no simpler reading. */
export function describeCron(expr: string, t: TFunction, lng: string): string {
  const reading = readCron(expr);
  switch (reading.kind) {
    case 'everyMinute':
      return t('cron.everyMinute');
    case 'hourly':
      return t('cron.hourly', { minute: reading.minute });
    case 'daily':
      return t('cron.daily', { time: reading.time });
    case 'weekly':
      return t('cron.weekly', { time: reading.time, days: reading.weekdays.map((d) => weekdayName(d, lng)).join(', ') });
    case 'monthly':
      return t('cron.monthly', { time: reading.time, day: reading.day });
    default:
      return t('cron.custom');
  }
}
