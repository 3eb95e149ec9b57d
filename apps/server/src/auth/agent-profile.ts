/**
 * An agent's routing profile, edited on the Settings → Users screen: skills, languages, working
 * hours (weekly periods in a timezone), the cap of open conversations, supervisor. The
 * assignment code (conversations/assignment.ts) reads these rows; a user without a row is never
 * given conversations, so adding an agent creates one.
 */
import { eq } from 'drizzle-orm';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { notFound } from '../http/errors.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time as HH:MM, 00:00–24:00');
const minutes = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

export const WeeklyPeriodsSchema = z
  .array(
    z
      .object({ weekday: z.number().int().min(1, '1 = Monday … 7 = Sunday').max(7, '1 = Monday … 7 = Sunday'), start: hhmm, end: hhmm })
      .refine((p) => minutes(p.end) > minutes(p.start), { message: 'the end must be after the start', path: ['end'] }),
  )
  .max(70)
  .superRefine((periods, c) => {
    // periods of one day must not overlap
    for (let i = 0; i < periods.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = periods[i]!;
        const b = periods[j]!;
        if (a.weekday === b.weekday && minutes(a.start) < minutes(b.end) && minutes(b.start) < minutes(a.end)) {
          c.addIssue({ code: 'custom', message: `overlaps another period of the same day (${b.start}–${b.end})`, path: [i, 'start'] });
        }
      }
    }
  });

export const TimezoneSchema = z.string().trim().min(1).max(64).refine((tz) => IANAZone.isValidZone(tz), 'not a known time zone (e.g. Asia/Taipei, Europe/Madrid)');

export const AgentProfileBody = z.object({
  skills: z.array(z.string().trim().min(1).max(60)).max(30),
  languages: z.array(z.enum(['en', 'zh-Hant', 'zh-Hans', 'es'])).max(4),
  workingHours: WeeklyPeriodsSchema,
  timezone: TimezoneSchema,
  maxOpen: z.number().int().min(1, 'at least 1').max(50, 'at most 50'),
  supervisor: z.boolean().default(false),
});
export type AgentProfileInput = z.infer<typeof AgentProfileBody>;

export const AgentProfileOut = z
  .object({
    skills: z.array(z.string()),
    languages: z.array(z.string()),
    workingHours: z.array(z.object({ weekday: z.number(), start: z.string(), end: z.string() })),
    timezone: z.string(),
    maxOpen: z.number(),
    supervisor: z.boolean(),
    available: z.boolean(),
  })
  .meta({ id: 'AgentProfile' });

type ProfileRow = typeof schema.agentProfiles.$inferSelect;
export const profileOut = (p: ProfileRow) => ({
  skills: p.skills,
  languages: p.languages,
  workingHours: p.workingHours,
  timezone: p.timezone,
  maxOpen: p.maxOpen,
  supervisor: p.supervisor,
  available: p.available,
});

/** A new agent gets a profile with the team's timezone and hours, so assignment can consider them. */
export async function ensureAgentProfile(db: AppContext['db']['db'], userId: string, teamId: string | null): Promise<void> {
  let timezone = 'UTC';
  let workingHours: ProfileRow['workingHours'] = [];
  if (teamId) {
    const [s] = await db.select().from(schema.teamInboxSettings).where(eq(schema.teamInboxSettings.teamId, teamId)).limit(1);
    if (s) ({ timezone, periods: workingHours } = s);
  }
  await db.insert(schema.agentProfiles).values({ userId, timezone, workingHours }).onConflictDoNothing();
}

export async function saveAgentProfile(ctx: AppContext, userId: string, body: AgentProfileInput) {
  const [u] = await ctx.db.db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.id, userId)).limit(1);
  if (!u) throw notFound('User', userId);
  const values = { ...body, skills: [...new Set(body.skills)], languages: [...new Set(body.languages)] };
  const [row] = await ctx.db.db
    .insert(schema.agentProfiles)
    .values({ userId, ...values })
    .onConflictDoUpdate({ target: schema.agentProfiles.userId, set: values })
    .returning();
  return profileOut(row!);
}
