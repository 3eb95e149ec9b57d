/**
 * Inbox demo data for an empty inbox (called by demo/startup.ts after the customer demo data):
 * business hours per team (Taipei: Asia/Taipei 09:00–12:00 and 13:30–18:00 weekdays, holidays),
 * a Technical team that 安装 / 故障 / installation / avería route to, agent profiles with
 * skills, languages, shifts and caps, a supervisor, the seeds' rules in four languages, and a few
 * hundred conversations with messages, delivery ticks, priorities, SLA deadlines and notes.
 * Deterministic and idempotent (nothing happens when any rule or conversation exists).
 */
import { count, isNotNull, sql } from 'drizzle-orm';
import { schema, type DbHandle } from '@nudge/db';
import { hashPassword } from '../http/passwords.js';
import { MESSAGES_IN, MESSAGES_OUT, type Locale } from '../demo/names.js';
import { insertExampleRules, insertExampleTemplates, TAIPEI_WEEKDAYS } from './examples.js';
import { addBusinessHours } from './hours.js';
import { firstMatch, replyIn } from './rules.js';
import { SLA_HOURS } from './settings.js';

export interface InboxSeedResult {
  skipped: boolean;
  conversations: number;
  messages: number;
  rules: number;
  templates?: number;
  quickReplies?: number;
}

const week = (start1: string, end1: string, start2?: string, end2?: string): schema.WeeklyPeriods =>
  [1, 2, 3, 4, 5].flatMap((weekday) => [{ weekday, start: start1, end: end1 }, ...(start2 && end2 ? [{ weekday, start: start2, end: end2 }] : [])]);

const HOURS: Record<string, { timezone: string; periods: schema.WeeklyPeriods; holidays: string[]; languages: string[] }> = {
  Taipei: { timezone: 'Asia/Taipei', periods: TAIPEI_WEEKDAYS, holidays: ['2026-10-10', '2027-01-01', '2027-02-05', '2027-02-08'], languages: ['zh-Hant', 'zh-Hans', 'en'] },
  Madrid: { timezone: 'Europe/Madrid', periods: week('09:00', '14:00', '16:00', '19:00'), holidays: ['2026-12-08', '2026-12-25', '2027-01-01', '2027-01-06'], languages: ['es', 'en'] },
  'San Francisco': { timezone: 'America/Los_Angeles', periods: week('09:00', '17:00'), holidays: ['2026-11-26', '2026-12-25', '2027-01-01'], languages: ['en', 'es'] },
  Technical: { timezone: 'Asia/Taipei', periods: TAIPEI_WEEKDAYS, holidays: [], languages: ['zh-Hant', 'zh-Hans', 'en', 'es'] },
};

const LANG_OF: Record<Locale, 'zh-Hant' | 'zh-Hans' | 'es' | 'en'> = { 'zh-TW': 'zh-Hant', 'zh-CN': 'zh-Hans', es: 'es', en: 'en' };

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)), pick: <T>(l: readonly T[]) => l[Math.floor(next() * l.length)]!, chance: (p: number) => next() < p };
}

export async function seedInboxDemo(db: DbHandle, options: { conversations?: number; now?: Date; password?: string } = {}): Promise<InboxSeedResult> {
  const wanted = options.conversations ?? 300;
  const now = options.now ?? new Date();
  const r = prng(20261201);
  const passwordHash = await hashPassword(options.password ?? 'nudge-demo');
  return db.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(20261201)`);
    const [rules] = await tx.select({ n: count() }).from(schema.autoReplyRules);
    const [convs] = await tx.select({ n: count() }).from(schema.conversations);
    if (rules!.n > 0 || convs!.n > 0) return { skipped: true, conversations: 0, messages: 0, rules: 0 };

    await tx.insert(schema.teams).values({ name: 'Technical', timezone: 'Asia/Taipei' }).onConflictDoNothing();
    const teams = await tx.select().from(schema.teams);
    for (const t of teams) {
      const h = HOURS[t.name] ?? { timezone: t.timezone ?? 'UTC', periods: week('09:00', '18:00'), holidays: [], languages: ['en'] };
      await tx.insert(schema.teamInboxSettings).values({
        teamId: t.id, timezone: h.timezone, periods: h.periods, holidays: h.holidays, isDefault: t.name === 'Taipei',
        ...(t.name === 'Technical' ? { routingKeywords: ['安装', '故障', 'installation', 'instalación', 'avería', 'broken'], skill: 'technical' } : {}),
      }).onConflictDoNothing();
    }
    const technical = teams.find((t) => t.name === 'Technical')!;
    await tx.insert(schema.users).values([
      { name: '陳建宏', email: 'jianhong.chen@nudge.local', role: 'agent', teamId: technical.id, passwordHash },
      { name: 'Sofía Navarro', email: 'sofia.navarro@nudge.local', role: 'agent', teamId: technical.id, passwordHash },
    ]).onConflictDoNothing();
    const users = await tx.select().from(schema.users);
    const teamName = new Map(teams.map((t) => [t.id, t.name]));
    const agents = users.filter((u) => u.role === 'agent' && u.active);
    for (const u of agents) {
      const tn = u.teamId ? teamName.get(u.teamId) ?? '' : '';
      const h = HOURS[tn] ?? HOURS.Taipei!;
      await tx.insert(schema.agentProfiles).values({
        userId: u.id,
        skills: tn === 'Technical' ? ['technical', 'product:machines'] : r.chance(0.5) ? ['sales', 'product:machines'] : ['sales', 'product:parts'],
        languages: u.email.startsWith('sofia') ? ['es', 'en'] : h.languages,
        workingHours: h.periods,
        timezone: h.timezone,
        maxOpen: r.int(5, 7),
      }).onConflictDoNothing();
    }
    const manager = users.find((u) => u.role === 'manager');
    if (manager) await tx.insert(schema.agentProfiles).values({ userId: manager.id, supervisor: true, languages: ['es', 'en'], timezone: 'Europe/Madrid' }).onConflictDoNothing();
    const ruleCount = await insertExampleRules(tx);
    const saved = await insertExampleTemplates(tx);
    const exampleRules = await tx.select().from(schema.autoReplyRules);

    // conversations for customers who have a phone
    const customers = await tx
      .select({ id: schema.customers.id, teamId: schema.customers.teamId, ownerId: schema.customers.ownerId, whatsappId: schema.customers.whatsappId, phoneRaw: schema.customers.phoneRaw, fullName: schema.customers.fullName, budgetMax: schema.customers.budgetMax })
      .from(schema.customers)
      .where(isNotNull(schema.customers.phone))
      .orderBy(schema.customers.createdAt, schema.customers.id)
      .limit(wanted);
    const settingsByTeam = new Map((await tx.select().from(schema.teamInboxSettings)).map((s) => [s.teamId, s]));
    const byTeam = new Map<string, string[]>();
    for (const a of agents) if (a.teamId) byTeam.set(a.teamId, [...(byTeam.get(a.teamId) ?? []), a.id]);
    const load = new Map<string, number>();
    const convRows: (typeof schema.conversations.$inferInsert)[] = [];
    const msgRows: (typeof schema.conversationMessages.$inferInsert)[] = [];
    for (const c of customers) {
      const locale: Locale = /\p{Script=Han}/u.test(c.fullName) ? (r.chance(0.6) ? 'zh-TW' : 'zh-CN') : /[áéíóúñ]/i.test(c.fullName) ? 'es' : r.pick(['en', 'es'] as const);
      const channel = c.whatsappId ? 'whatsapp' : 'sms';
      const status = r.pick(['open', 'open', 'open', 'pending', 'snoozed', 'resolved', 'resolved'] as const);
      const lastAt = new Date(now.getTime() - r.int(2, 60 * 24 * 6) * 60_000);
      const priority = c.budgetMax && c.budgetMax > 100_000 ? 'P1' : c.budgetMax && c.budgetMax >= 50_000 ? 'P2' : 'P3';
      const teamId = c.teamId ?? teams.find((t) => t.name === 'Taipei')!.id;
      const pool = byTeam.get(teamId) ?? [];
      const free = pool.filter((a) => (load.get(a) ?? 0) < 6);
      const assigneeId = status !== 'resolved' && free.length && r.chance(0.7) ? r.pick(free) : status === 'resolved' && pool.length ? r.pick(pool) : null;
      if (assigneeId && status !== 'resolved') load.set(assigneeId, (load.get(assigneeId) ?? 0) + 1);
      const hours = settingsByTeam.get(teamId);
      const firstAt = new Date(lastAt.getTime() - r.int(5, 180) * 60_000);
      const answered = status === 'resolved' || r.chance(0.5);
      const id = crypto.randomUUID();
      convRows.push({
        id, customerId: c.id, channel, status, assigneeId, teamId, priority, language: LANG_OF[locale], needsHuman: status !== 'resolved' && !answered,
        firstResponseDueAt: hours ? addBusinessHours({ timezone: hours.timezone, periods: hours.periods, holidays: hours.holidays }, firstAt, SLA_HOURS[priority]) : null,
        firstRespondedAt: answered ? new Date(firstAt.getTime() + r.int(1, 90) * 60_000) : null,
        lastCustomerMessageAt: lastAt, lastAgentMessageAt: answered ? lastAt : null, lastMessageAt: lastAt,
        windowEndsAt: channel === 'whatsapp' ? new Date(lastAt.getTime() + 24 * 3_600_000) : null,
        unreadCount: answered ? 0 : r.int(1, 3),
        snoozedUntil: status === 'snoozed' ? new Date(now.getTime() + r.int(1, 48) * 3_600_000) : null,
        resolvedAt: status === 'resolved' ? lastAt : null,
        assignedAt: assigneeId ? firstAt : null, createdAt: firstAt,
      });
      const turns = r.int(1, 3);
      for (let i = 0; i < turns; i++) {
        const at = new Date(firstAt.getTime() + i * ((lastAt.getTime() - firstAt.getTime()) / turns));
        const body = r.pick(MESSAGES_IN[locale]);
        msgRows.push({ conversationId: id, customerId: c.id, direction: 'in', channel, body, providerMessageId: `demo.in.${id}.${i}`, status: 'received', createdAt: at });
        // the bot answers what a keyword rule matches until a person has taken over (the inbox metrics count it)
        const keyword = i === 0 || !assigneeId ? firstMatch(exampleRules, ['keyword'], body, true) : null;
        const botAnswer = keyword ? { ruleId: keyword.rule.id, body: replyIn(keyword.rule, LANG_OF[locale]) ?? '' } : null;
        if (botAnswer) {
          msgRows.push({ conversationId: id, customerId: c.id, direction: 'out', channel, body: botAnswer.body, providerMessageId: `demo.auto.${id}.${i}`, status: 'read', origin: 'auto_reply', ruleId: botAnswer.ruleId, createdAt: new Date(at.getTime() + 20_000) });
        }
        if (answered || i < turns - 1) {
          const reply = {
            conversationId: id, customerId: c.id, direction: 'out' as const, channel, body: r.pick(MESSAGES_OUT[locale]), providerMessageId: `demo.out.${id}.${i}`,
            status: r.pick(['sent', 'delivered', 'read', 'read'] as const), origin: assigneeId ? 'agent' : 'auto_reply', authorId: assigneeId, createdAt: new Date(at.getTime() + 60_000),
          };
          if (assigneeId || !botAnswer) msgRows.push(reply); // (the same random draws either way: the rest of the demo stays as it was)
        }
      }
      if (r.chance(0.15) && assigneeId) msgRows.push({ conversationId: id, customerId: c.id, direction: 'note', channel, body: 'Budget confirmed by phone; send the quote.', status: 'received', origin: 'agent', authorId: assigneeId, createdAt: lastAt });
    }
    for (let i = 0; i < convRows.length; i += 500) await tx.insert(schema.conversations).values(convRows.slice(i, i + 500));
    for (let i = 0; i < msgRows.length; i += 1000) await tx.insert(schema.conversationMessages).values(msgRows.slice(i, i + 1000));
    return { skipped: false, conversations: convRows.length, messages: msgRows.length, rules: ruleCount, ...saved };
  });
}
