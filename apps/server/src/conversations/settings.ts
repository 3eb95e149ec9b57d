/** The inbox's configuration as the decision code needs it: rules, team hours, SLA hours. */
import { asc, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import type { BusinessHours } from './hours.js';
import type { AutoReplyRule } from './rules.js';

export type Db = AppContext['db']['db'];
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export type Rule = AutoReplyRule & { teamId: string | null };
export type TeamSettings = typeof schema.teamInboxSettings.$inferSelect;

/** Reply deadlines per priority, in business hours (SPEC B: P1 2 h, P2 6 h, P3 24 h). */
export const SLA_HOURS = { P1: 2, P2: 6, P3: 24 } as const;

/** Budget thresholds for a new inquiry's priority: > 100k → P1, 50k–100k → P2, else P3. */
export function priorityForBudget(budget: number | null): 'P1' | 'P2' | 'P3' {
  if (budget !== null && budget > 100_000) return 'P1';
  if (budget !== null && budget >= 50_000) return 'P2';
  return 'P3';
}

/** Always-open hours for a database without any team settings. */
export const ALWAYS_OPEN: BusinessHours = { timezone: 'UTC', periods: [] };

export const hoursOf = (t: TeamSettings | undefined): BusinessHours =>
  t ? { timezone: t.timezone, periods: t.periods, holidays: t.holidays } : ALWAYS_OPEN;

/** With periods: hours as configured; without (24/7 teams): always in hours. */
export function inHoursOf(t: TeamSettings | undefined, at: Date, isWithin: (h: BusinessHours, at: Date) => boolean): boolean {
  const h = hoursOf(t);
  return h.periods.length === 0 ? true : isWithin(h, at);
}

interface Cached {
  at: number;
  rules: Rule[];
  teams: TeamSettings[];
}
const cache = new WeakMap<object, Cached>();
const TTL_MS = 2000;

/** Rules and team settings, cached for 2 s per database (edits through the API clear it). */
export async function loadInboxSettings(ctx: AppContext, db: DbOrTx = ctx.db.db): Promise<Cached> {
  const hit = cache.get(ctx.db);
  if (hit && Date.now() - hit.at < TTL_MS) return hit;
  const rules = (await db.select().from(schema.autoReplyRules).orderBy(asc(schema.autoReplyRules.position))) as Rule[];
  const teams = await db.select().from(schema.teamInboxSettings);
  const fresh = { at: Date.now(), rules, teams };
  cache.set(ctx.db, fresh);
  return fresh;
}

export const forgetInboxSettings = (ctx: AppContext) => void cache.delete(ctx.db);

export function teamSettingsFor(settings: Cached, teamId: string | null): TeamSettings | undefined {
  return settings.teams.find((t) => t.teamId === teamId) ?? settings.teams.find((t) => t.isDefault) ?? settings.teams[0];
}

export async function teamSettingsById(db: DbOrTx, teamId: string): Promise<TeamSettings | undefined> {
  const [row] = await db.select().from(schema.teamInboxSettings).where(eq(schema.teamInboxSettings.teamId, teamId));
  return row;
}
