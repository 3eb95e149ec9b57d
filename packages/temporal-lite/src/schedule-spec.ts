/**
 * Schedule specs as Temporal's scheduler reads them (service/worker/scheduler/spec.go and
 * calendar.go): cron strings and calendar strings are canonicalised into structured calendars
 * (what DescribeSchedule answers), intervals are aligned to the epoch plus a phase, and a time
 * matches a calendar when its wall-clock fields in the spec's IANA time zone match. So across a
 * DST change a wall time that does not exist never fires and one that happens twice fires twice,
 * like the real server. Times have one-second resolution.
 */
import { invalidArgument } from './errors.js';
import { durToMs, tsToMs } from './proto.js';
import type { Obj } from './execution.js';

export interface Range { start: number; end: number; step: number }
export interface StructuredCalendar {
  second: Range[]; minute: Range[]; hour: Range[]; dayOfMonth: Range[]; month: Range[]; year: Range[]; dayOfWeek: Range[]; comment?: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELD_BOUNDS: Record<string, [number, number]> = {
  second: [0, 59], minute: [0, 59], hour: [0, 23], dayOfMonth: [1, 31], month: [1, 12], year: [2000, 2100], dayOfWeek: [0, 7],
};

/** One cron / calendar-string field ("*", "5", "1-5", "*\/15", "10-40/5", "MON-FRI", lists) as ranges. */
export function parseField(text: string, field: keyof typeof FIELD_BOUNDS, where: string): Range[] {
  const [lo, hi] = FIELD_BOUNDS[field]!;
  const names = field === 'month' ? MONTHS : field === 'dayOfWeek' ? DAYS : null;
  const value = (v: string): number => {
    const low = v.toLowerCase();
    if (names && low.length >= 3) {
      const i = names.indexOf(low.slice(0, 3));
      if (i >= 0 && fullName(names, i).startsWith(low)) return names === MONTHS ? i + 1 : i;
    }
    if (!/^\d+$/.test(v)) throw invalidArgument(`invalid ${where}: "${v}" in ${field} is not a number${names ? ' or name' : ''}`);
    const n = Number(v);
    if (field !== 'year' && (n < lo || n > hi)) throw invalidArgument(`invalid ${where}: ${field} value ${n} is out of range ${lo}-${hi}`);
    return n;
  };
  const out: Range[] = [];
  for (const part of text.split(',')) {
    if (!part) throw invalidArgument(`invalid ${where}: empty item in ${field} "${text}"`);
    const [base, stepText] = part.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw invalidArgument(`invalid ${where}: step "${stepText}" in ${field}`);
    let start: number;
    let end: number;
    if (base === '*' || base === '?') {
      start = field === 'year' ? 0 : lo;
      end = field === 'dayOfWeek' ? 6 : field === 'year' ? 0 : hi;
      if (field === 'year') { if (step === 1) continue; start = 2000; end = 2100; }
    } else if (base.includes('-')) {
      const [a, b] = base.split('-') as [string, string];
      start = value(a);
      end = value(b);
    } else {
      start = value(base);
      end = stepText === undefined ? start : field === 'dayOfWeek' ? 6 : hi;
    }
    if (field === 'dayOfWeek' && start === 7) start = 0;
    if (field === 'dayOfWeek' && end === 7 && start !== 0) { end = 6; out.push({ start: 0, end: 0, step: 1 }); }
    if (end < start) throw invalidArgument(`invalid ${where}: range ${base} in ${field} ends before it starts`);
    out.push({ start, end, step });
  }
  return out;
}

function fullName(names: string[], i: number): string {
  const full = names === MONTHS
    ? ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']
    : ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
  return full[i]!;
}

const PREDEFINED: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

/** Go's time.ParseDuration for the forms cron strings use ("90m", "1h30m", "10s", "500ms"). */
export function parseGoDuration(text: string, where: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    consumed += m[0].length;
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']!;
  }
  if (!text || consumed !== text.length) throw invalidArgument(`invalid ${where}: "${text}" is not a duration`);
  return total;
}

/** A cron string: calendars and/or an interval, and a CRON_TZ time zone if it names one. */
export function parseCron(cron: string): { calendar?: StructuredCalendar; interval?: { intervalMs: number; phaseMs: number }; timezone?: string; comment?: string } {
  let text = cron.trim();
  let timezone: string | undefined;
  let comment: string | undefined;
  const hash = text.indexOf('#');
  if (hash >= 0) { comment = text.slice(hash + 1).trim(); text = text.slice(0, hash).trim(); }
  const tz = /^(CRON_TZ|TZ)=(\S+)\s+/.exec(text);
  if (tz) { timezone = tz[2]; text = text.slice(tz[0].length); }
  if (text.startsWith('@every')) {
    const [every, phase] = text.slice(6).trim().split('/') as [string, string | undefined];
    return { interval: { intervalMs: parseGoDuration(every, `cron string "${cron}"`), phaseMs: phase ? parseGoDuration(phase, `cron string "${cron}"`) : 0 }, timezone };
  }
  if (PREDEFINED[text]) text = PREDEFINED[text]!;
  else if (text.startsWith('@')) throw invalidArgument(`invalid cron string "${cron}": unknown descriptor ${text}`);
  const f = text.split(/\s+/);
  let sec = '0';
  let min: string, hour: string, dom: string, mon: string, dow: string, year = '*';
  if (f.length === 5) [min, hour, dom, mon, dow] = f as [string, string, string, string, string];
  else if (f.length === 6) [min, hour, dom, mon, dow, year] = f as [string, string, string, string, string, string];
  else if (f.length === 7) [sec, min, hour, dom, mon, dow, year] = f as [string, string, string, string, string, string, string];
  else throw invalidArgument(`invalid cron string "${cron}": expected 5, 6 or 7 fields, got ${f.length}`);
  const where = `cron string "${cron}"`;
  return {
    calendar: {
      second: parseField(sec, 'second', where), minute: parseField(min, 'minute', where), hour: parseField(hour, 'hour', where),
      dayOfMonth: parseField(dom, 'dayOfMonth', where), month: parseField(mon, 'month', where), year: parseField(year, 'year', where),
      dayOfWeek: parseField(dow, 'dayOfWeek', where), ...(comment ? { comment } : {}),
    },
    timezone, comment,
  };
}

function calendarFromStrings(c: Obj, where: string): StructuredCalendar {
  const get = (k: string, d: string) => (typeof c[k] === 'string' && c[k] !== '' ? c[k] : d);
  return {
    second: parseField(get('second', '0'), 'second', where), minute: parseField(get('minute', '0'), 'minute', where),
    hour: parseField(get('hour', '0'), 'hour', where), dayOfMonth: parseField(get('dayOfMonth', '*'), 'dayOfMonth', where),
    month: parseField(get('month', '*'), 'month', where), year: parseField(get('year', '*'), 'year', where),
    dayOfWeek: parseField(get('dayOfWeek', '*'), 'dayOfWeek', where), ...(c.comment ? { comment: c.comment } : {}),
  };
}

const normRanges = (rs: Obj[] | undefined): Range[] => (rs ?? []).map((r) => {
  const start = Number(r.start ?? 0);
  const end = Math.max(Number(r.end ?? 0), start);
  return { start, end, step: Math.max(1, Number(r.step ?? 0) || 1) };
});

/**
 * The spec as the real server keeps it: cron strings and calendar strings turned into structured
 * calendars, @every into intervals; validated (time zone, ranges, intervals).
 */
export function canonicalSpec(spec: Obj | undefined): Obj {
  const s: Obj = { ...(spec ?? {}) };
  const structured: Obj[] = [...(s.structuredCalendar ?? [])];
  const intervals: Obj[] = [...(s.interval ?? [])];
  for (const c of s.calendar ?? []) structured.push(calendarFromStrings(c, 'calendar spec'));
  for (const cron of s.cronString ?? []) {
    const p = parseCron(cron);
    if (p.calendar) structured.push(p.calendar);
    if (p.interval) intervals.push({ interval: { seconds: p.interval.intervalMs / 1000 }, ...(p.interval.phaseMs ? { phase: { seconds: p.interval.phaseMs / 1000 } } : {}) });
    if (p.timezone) {
      if (s.timezoneName && s.timezoneName !== p.timezone) throw invalidArgument(`cron string "${cron}" names time zone ${p.timezone} but the spec has ${s.timezoneName}`);
      s.timezoneName = p.timezone;
    }
  }
  const exclude: Obj[] = [...(s.excludeStructuredCalendar ?? [])];
  for (const c of s.excludeCalendar ?? []) exclude.push(calendarFromStrings(c, 'exclude calendar spec'));
  if (s.timezoneName) zoneOf(s.timezoneName);
  for (const i of intervals) {
    const ms = durToMs(i.interval);
    if (ms < 1000) throw invalidArgument('schedule interval must be at least 1 second');
    if (durToMs(i.phase) < 0) throw invalidArgument('schedule interval phase must not be negative');
  }
  const out: Obj = {};
  if (structured.length) out.structuredCalendar = structured;
  if (intervals.length) out.interval = intervals;
  if (exclude.length) out.excludeStructuredCalendar = exclude;
  for (const k of ['startTime', 'endTime', 'jitter', 'timezoneName', 'timezoneData']) if (s[k] !== undefined && s[k] !== '') out[k] = s[k];
  return out;
}

// ------------------------------------------------------------------ time zones

interface Zone { name: string; fmt: Intl.DateTimeFormat | null }
const zones = new Map<string, Zone>();
function zoneOf(name: string | undefined): Zone {
  const key = name || 'UTC';
  let z = zones.get(key);
  if (!z) {
    let fmt: Intl.DateTimeFormat | null = null;
    if (key !== 'UTC') {
      try {
        fmt = new Intl.DateTimeFormat('en-US', { timeZone: key, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
      } catch {
        throw invalidArgument(`unknown time zone "${key}" (give an IANA name such as Europe/Berlin)`);
      }
    }
    z = { name: key, fmt };
    zones.set(key, z);
  }
  return z;
}

/** The wall clock of `ms` in the zone, as if it were UTC (ms). */
function wallAsUtc(z: Zone, ms: number): number {
  if (!z.fmt) return ms;
  const p: Record<string, number> = {};
  for (const part of z.fmt.formatToParts(new Date(ms))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) + (ms % 1000 + 1000) % 1000;
}
const offsetAt = (z: Zone, ms: number) => wallAsUtc(z, ms) - ms;

// ------------------------------------------------------------------ matching

interface CompiledCalendar { sec: number[]; min: number[]; hour: number[]; dom: Set<number>; mon: Set<number>; dow: Set<number>; year: Range[] }

function expand(rs: Range[], lo: number, hi: number, emptyMeans: number[] | 'all'): number[] {
  if (!rs.length) return emptyMeans === 'all' ? Array.from({ length: hi - lo + 1 }, (_, i) => lo + i) : emptyMeans;
  const out = new Set<number>();
  for (const r of rs) for (let v = r.start; v <= Math.min(r.end, hi); v += r.step) if (v >= lo) out.add(v);
  return [...out].sort((a, b) => a - b);
}

function compileCalendar(c: Obj): CompiledCalendar {
  const dowRanges = normRanges(c.dayOfWeek).map((r) => ({ ...r }));
  const dow = new Set<number>();
  for (const r of dowRanges) for (let v = r.start; v <= Math.min(r.end, 7); v += r.step) dow.add(v % 7);
  return {
    sec: expand(normRanges(c.second), 0, 59, [0]), min: expand(normRanges(c.minute), 0, 59, [0]), hour: expand(normRanges(c.hour), 0, 23, [0]),
    dom: new Set(expand(normRanges(c.dayOfMonth), 1, 31, 'all')), mon: new Set(expand(normRanges(c.month), 1, 12, 'all')),
    dow: dowRanges.length ? dow : new Set([0, 1, 2, 3, 4, 5, 6]), year: normRanges(c.year),
  };
}

const yearMatches = (cc: CompiledCalendar, y: number) => !cc.year.length || cc.year.some((r) => y >= r.start && y <= r.end && (y - r.start) % r.step === 0);

function wallMatches(cc: CompiledCalendar, wall: number): boolean {
  const d = new Date(wall);
  return yearMatches(cc, d.getUTCFullYear()) && cc.mon.has(d.getUTCMonth() + 1) && cc.dom.has(d.getUTCDate()) && cc.dow.has(d.getUTCDay())
    && cc.hour.includes(d.getUTCHours()) && cc.min.includes(d.getUTCMinutes()) && cc.sec.includes(d.getUTCSeconds());
}

const DAY = 86_400_000;

/** The first instant after `after` whose wall clock in the zone matches the calendar. */
function nextCalendarTime(cc: CompiledCalendar, z: Zone, after: number, limit: number): number | null {
  let day = Math.floor(wallAsUtc(z, after) / DAY) * DAY; // local midnight, as UTC
  while (day <= limit + 2 * DAY) {
    const d = new Date(day);
    const y = d.getUTCFullYear();
    if (!yearMatches(cc, y)) { day = Date.UTC(y + 1, 0, 1); if (!cc.year.some((r) => r.end >= y + 1)) return null; continue; }
    if (!cc.mon.has(d.getUTCMonth() + 1)) { day = Date.UTC(y, d.getUTCMonth() + 1, 1); continue; }
    if (!cc.dom.has(d.getUTCDate()) || !cc.dow.has(d.getUTCDay())) { day += DAY; continue; }
    // the offsets in force on this day (two on a DST change) and when it changes
    const o1 = offsetAt(z, day - 12 * 3_600_000 - 14 * 3_600_000);
    const o2 = offsetAt(z, day + DAY + 14 * 3_600_000);
    let change = Infinity;
    if (o1 !== o2) {
      let lo = day - 26 * 3_600_000;
      let hi = day + DAY + 14 * 3_600_000;
      while (hi - lo > 1000) { const mid = Math.floor((lo + hi) / 2); if (offsetAt(z, mid) === o1) lo = mid; else hi = mid; }
      change = hi;
    }
    const offAt = (ms: number) => (ms < change ? o1 : o2);
    const oMin = Math.min(o1, o2);
    const oMax = Math.max(o1, o2);
    let best: number | null = null;
    for (const h of cc.hour) {
      const hourWall = day + h * 3_600_000;
      if (hourWall + 3_599_000 - oMin <= after) continue;
      if (best !== null && hourWall - oMax > best) break;
      for (const m of cc.min) {
        const minWall = hourWall + m * 60_000;
        if (minWall + 59_000 - oMin <= after) continue;
        if (best !== null && minWall - oMax > best) break;
        for (const s of cc.sec) {
          const wall = minWall + s * 1000;
          if (wall - oMin <= after) continue;
          if (best !== null && wall - oMax > best) break;
          for (const o of o1 === o2 ? [o1] : [o1, o2]) {
            const t = wall - o;
            if (t > after && offAt(t) === o && (best === null || t < best)) best = t;
          }
        }
      }
    }
    if (best !== null) return best;
    day += DAY;
  }
  return null;
}

export interface CompiledSpec {
  /** The next nominal time strictly after `after`, or null. */
  nextNominal(after: number): number | null;
  /** Nominal and actual (jittered) time of the next action after `after`. */
  next(after: number, seed: string): { nominal: number; actual: number } | null;
}

export function compileSpec(spec: Obj): CompiledSpec {
  const z = zoneOf(spec.timezoneName);
  const cals = (spec.structuredCalendar ?? []).map(compileCalendar);
  const excl = (spec.excludeStructuredCalendar ?? []).map(compileCalendar);
  const intervals = (spec.interval ?? []).map((i: Obj) => ({ every: durToMs(i.interval), phase: durToMs(i.phase) }));
  const start = spec.startTime ? tsToMs(spec.startTime) : -Infinity;
  const end = spec.endTime ? tsToMs(spec.endTime) : Infinity;
  const jitter = durToMs(spec.jitter);
  const horizon = (after: number) => Math.min(end, after + 100 * 366 * DAY);
  const raw = (after: number): number | null => {
    let best: number | null = null;
    const limit = horizon(after);
    for (const cc of cals) {
      const t = nextCalendarTime(cc, z, after, limit);
      if (t !== null && (best === null || t < best)) best = t;
    }
    for (const i of intervals) {
      const t = i.phase + (Math.floor((after - i.phase) / i.every) + 1) * i.every;
      if (best === null || t < best) best = t;
    }
    return best;
  };
  const nextNominal = (after: number): number | null => {
    let t = Math.max(after, start - 1);
    for (let guard = 0; guard < 100_000; guard++) {
      const n = raw(t);
      if (n === null || n > end) return null;
      const wall = wallAsUtc(z, n);
      if (!excl.some((cc: CompiledCalendar) => wallMatches(cc, wall))) return n;
      t = n;
    }
    return null;
  };
  return {
    nextNominal,
    next(after, seed) {
      // an actual time is after its nominal: look from before `after` by the jitter at most
      let from = jitter ? after - jitter : after;
      for (;;) {
        const nominal = nextNominal(from);
        if (nominal === null) return null;
        let actual = nominal;
        if (jitter) {
          const following = nextNominal(nominal);
          const max = Math.min(jitter, following === null ? jitter : following - nominal);
          actual = nominal + (max > 0 ? hash(`${seed}:${nominal}`) % max : 0);
        }
        if (actual > after) return { nominal, actual };
        from = nominal;
      }
    },
  };
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
  return h;
}
