/** The inbox's configuration as the decision code needs it: rules, team hours, SLA hours. */
import { asc, eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { setting } from '../config.js';
import type { AppContext } from '../context.js';
import type { BusinessHours } from './hours.js';
import type { AutoReplyRule } from './rules.js';

export type Db = AppContext['db']['db'];
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export type Rule = AutoReplyRule & { teamId: string | null; templateId?: string | null };
export type TeamSettings = typeof schema.teamInboxSettings.$inferSelect;

/** Reply deadlines per priority, in business hours (SPEC B: P1 2 h, P2 6 h, P3 24 h). */
export const SLA_HOURS = { P1: 2, P2: 6, P3: 24 } as const;

/**
 * The inbox's policy an admin sets on the Settings screen (stored in the `settings` table under
 * `inbox.policy`): reply deadlines per priority, the budget thresholds of a new inquiry's
 * priority, the assignment strategy, the minutes an assignee has to answer before the escalation
 * ladder moves the conversation on. Defaults: SPEC B's numbers, NUDGE_ASSIGNMENT_STRATEGY, 15 minutes.
 */
export interface InboxPolicy {
  sla: { P1: number; P2: number; P3: number };
  budget: { p1Above: number; p2From: number };
  strategy: 'round_robin' | 'load';
  /** escalation ladder: next agent → team queue → supervisor, each step after this many minutes unanswered */
  escalateAfterMinutes: number;
}
export const ESCALATE_AFTER_MINUTES = 15;
export const POLICY_KEY = 'inbox.policy';
export const defaultPolicy = (env?: NodeJS.ProcessEnv): InboxPolicy => ({
  sla: { ...SLA_HOURS },
  budget: { p1Above: 100_000, p2From: 50_000 },
  strategy: setting('NUDGE_ASSIGNMENT_STRATEGY', env),
  escalateAfterMinutes: ESCALATE_AFTER_MINUTES,
});
/** The stored policy over the defaults; a value that is missing or unreadable keeps its default. */
export function policyFrom(raw: string | undefined | null, env?: NodeJS.ProcessEnv): InboxPolicy {
  const d = defaultPolicy(env);
  if (!raw) return d;
  let v: Partial<InboxPolicy>;
  try {
    v = JSON.parse(raw) as Partial<InboxPolicy>;
  } catch {
    return d;
  }
  const num = (x: unknown, fallback: number) => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : fallback);
  return {
    sla: { P1: num(v.sla?.P1, d.sla.P1), P2: num(v.sla?.P2, d.sla.P2), P3: num(v.sla?.P3, d.sla.P3) },
    budget: { p1Above: num(v.budget?.p1Above, d.budget.p1Above), p2From: num(v.budget?.p2From, d.budget.p2From) },
    strategy: v.strategy === 'load' || v.strategy === 'round_robin' ? v.strategy : d.strategy,
    escalateAfterMinutes: Number.isInteger(v.escalateAfterMinutes) ? num(v.escalateAfterMinutes, d.escalateAfterMinutes) : d.escalateAfterMinutes,
  };
}

/** A new inquiry's priority from its budget: > 100k → P1, 50k–100k → P2, else P3 (thresholds from the policy). */
export function priorityForBudget(budget: number | null, policy: Pick<InboxPolicy, 'budget'> = defaultPolicy()): 'P1' | 'P2' | 'P3' {
  if (budget !== null && budget > policy.budget.p1Above) return 'P1';
  if (budget !== null && budget >= policy.budget.p2From) return 'P2';
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
  policy: InboxPolicy;
}
const cache = new WeakMap<object, Cached>();
const TTL_MS = 2000;

/** Rules and team settings, cached for 2 s per database (edits through the API clear it). */
export async function loadInboxSettings(ctx: AppContext, db: DbOrTx = ctx.db.db): Promise<Cached> {
  const hit = cache.get(ctx.db);
  if (hit && Date.now() - hit.at < TTL_MS) return hit;
  const rules = withSavedTemplates((await db.select().from(schema.autoReplyRules).orderBy(asc(schema.autoReplyRules.position))) as Rule[], await db.select().from(schema.messageTemplates));
  const teams = await db.select().from(schema.teamInboxSettings);
  const [stored] = await db.select({ value: schema.settings.value }).from(schema.settings).where(eq(schema.settings.key, POLICY_KEY));
  const fresh = { at: Date.now(), rules, teams, policy: policyFrom(stored?.value) };
  cache.set(ctx.db, fresh);
  return fresh;
}

/**
 * A rule naming a saved template answers with its text (the customer just wrote, so WhatsApp's
 * window is open), sent as the WhatsApp template when that template is approved.
 */
export function withSavedTemplates(rules: Rule[], templates: (typeof schema.messageTemplates.$inferSelect)[]): Rule[] {
  const byId = new Map(templates.map((t) => [t.id, t]));
  return rules.map((r) => {
    const saved = r.templateId ? byId.get(r.templateId) : undefined;
    if (!saved) return r;
    const template = saved.channel === 'whatsapp' && saved.status === 'approved' ? { name: saved.name, language: saved.language, parameters: r.template?.parameters ?? [...saved.body.matchAll(/\{(\w+)\}/g)].map((m) => `{${m[1]}}`) } : null;
    return { ...r, replies: { default: saved.body }, template };
  });
}

export const forgetInboxSettings = (ctx: AppContext) => void cache.delete(ctx.db);

export function teamSettingsFor(settings: Cached, teamId: string | null): TeamSettings | undefined {
  return settings.teams.find((t) => t.teamId === teamId) ?? settings.teams.find((t) => t.isDefault) ?? settings.teams[0];
}

export async function teamSettingsById(db: DbOrTx, teamId: string): Promise<TeamSettings | undefined> {
  const [row] = await db.select().from(schema.teamInboxSettings).where(eq(schema.teamInboxSettings.teamId, teamId));
  return row;
}
