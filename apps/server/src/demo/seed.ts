/**
 * Demo data so that `pnpm start` on an empty database shows something: a few thousand customers
 * with Traditional/Simplified Chinese, Spanish and English names, phones typed the way people type
 * them (0912-345-678, +886 912 345 678, +34 612 34 56 78, (415) 555-0100), companies, industries,
 * tags in groups, agents in teams, and a timeline per customer. Deterministic (seeded PRNG),
 * batched, one transaction, and idempotent: nothing happens when customers already exist.
 */
import { randomUUID } from 'node:crypto';
import { count, eq, sql } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { schema, type DbHandle } from '@nudge/db';
import { hashPassword } from '../http/passwords.js';
import { COMPANIES, CURRENCIES, INDUSTRIES, MESSAGES_IN, MESSAGES_OUT, NAMES, PRODUCTS, REGIONS, TIMEZONES, type Locale } from './names.js';

export interface SeedOptions {
  customers?: number;
  /** PRNG seed (same seed → same data). */
  seed?: number;
  now?: Date;
  /** Password of the demo agents/manager/viewer (default: nudge-demo). */
  password?: string;
}

export interface SeedResult {
  skipped: boolean;
  customers: number;
  interactions: number;
  users: number;
}

/** mulberry32: a tiny, good-enough deterministic PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof prng>;

const digits = (r: Rng, n: number) => Array.from({ length: n }, () => r.int(0, 9)).join('');

/** A phone the way a person of that market would type it. */
function typedPhone(r: Rng, locale: Locale): string {
  switch (locale) {
    case 'zh-TW': {
      const m = `9${digits(r, 2)}`;
      const a = digits(r, 3);
      const b = digits(r, 3);
      return r.pick([`0${m}-${a}-${b}`, `+886 ${m} ${a} ${b}`, `0${m}${a}${b}`, `(0${m}) ${a}-${b}`]);
    }
    case 'zh-CN': {
      const p = r.pick(['138', '139', '150', '186', '177']);
      const a = digits(r, 4);
      const b = digits(r, 4);
      return r.pick([`+86 ${p} ${a} ${b}`, `+86${p}${a}${b}`, `+86-${p}-${a}-${b}`]);
    }
    case 'es': {
      const a = `6${digits(r, 2)}`;
      return r.pick([`+34 ${a} ${digits(r, 2)} ${digits(r, 2)} ${digits(r, 2)}`, `+34${a}${digits(r, 6)}`, `0034 ${a} ${digits(r, 3)} ${digits(r, 3)}`]);
    }
    case 'en': {
      const area = r.pick(['415', '212', '646', '310', '617']);
      const ex = `${r.int(2, 9)}${digits(r, 2)}`;
      return r.pick([`(${area}) ${ex}-${digits(r, 4)}`, `+1 ${area} ${ex} ${digits(r, 4)}`, `${area}-${ex}-${digits(r, 4)}`, `(415) 555-01${digits(r, 2)}`]);
    }
  }
}

const ascii = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');

const TAG_GROUPS = [
  {
    name: 'Lead stage', dimension: 'behaviour' as const, description: 'Where the conversation stands',
    tags: [
      { name: 'potential', color: '#f59e0b', description: 'Worth following up', share: 0.3 },
      { name: 'new inquiry', color: '#22c55e', description: 'Asked something in the last 24 h', defaultLifetimeHours: 24, share: 0.06 },
      { name: 'quote sent', color: '#3b82f6', description: 'Waiting for a decision; reminder on day 6', defaultLifetimeHours: 168, reminderAfterHours: 144, share: 0.12 },
      { name: 'sample sent', color: '#8b5cf6', description: 'Follow up after 15 days', defaultLifetimeHours: 360, share: 0.05 },
      { name: 'negotiating', color: '#ec4899', description: 'Price or terms under discussion', share: 0.08 },
    ],
  },
  {
    name: 'Business value', dimension: 'value' as const, description: 'How much the customer is worth',
    tags: [
      { name: 'VIP', color: '#eab308', description: 'Top 5 % of yearly spend', share: 0.05 },
      { name: 'high budget', color: '#14b8a6', description: 'Budget above 100k', share: 0.15 },
      { name: 'repeat buyer', color: '#0ea5e9', description: 'Ordered more than once', share: 0.1 },
    ],
  },
  {
    name: 'Attributes', dimension: 'attribute' as const, description: 'Who the customer is',
    tags: [
      { name: 'wholesale', color: '#64748b', description: 'Buys in bulk', share: 0.2 },
      { name: 'distributor', color: '#a855f7', description: 'Resells our products', share: 0.07 },
      { name: 'prefers WhatsApp', color: '#16a34a', description: 'Answers faster on WhatsApp', share: 0.25 },
    ],
  },
];

const TEAMS: { name: string; timezone: string; locales: Locale[]; agents: { name: string; email: string }[] }[] = [
  { name: 'Taipei', timezone: 'Asia/Taipei', locales: ['zh-TW', 'zh-CN'], agents: [{ name: '林雅婷', email: 'yating.lin@nudge.local' }, { name: '王志豪', email: 'zhihao.wang@nudge.local' }] },
  { name: 'Madrid', timezone: 'Europe/Madrid', locales: ['es'], agents: [{ name: 'Lucía Martín', email: 'lucia.martin@nudge.local' }, { name: 'Javier Ruiz', email: 'javier.ruiz@nudge.local' }] },
  { name: 'San Francisco', timezone: 'America/Los_Angeles', locales: ['en'], agents: [{ name: 'Emily Clark', email: 'emily.clark@nudge.local' }] },
];

const chunk = <T>(list: T[], size: number) => Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, i * size + size));

export async function seedDemoData(db: DbHandle, options: SeedOptions = {}): Promise<SeedResult> {
  const total = options.customers ?? 3000;
  const now = options.now ?? new Date();
  const r = prng(options.seed ?? 20260501);
  const passwordHash = await hashPassword(options.password ?? 'nudge-demo');
  const day = 86_400_000;
  const ago = (days: number) => new Date(now.getTime() - days * day);

  return db.db.transaction(async (tx) => {
    // Serialise concurrent seeders (two processes starting on one database).
    await tx.execute(sql`select pg_advisory_xact_lock(20260501)`);
    const [existing] = await tx.select({ n: count() }).from(schema.customers);
    if (existing!.n > 0) return { skipped: true, customers: 0, interactions: 0, users: 0 };

    // teams and users
    const teamIds = new Map<string, string>();
    for (const t of TEAMS) {
      await tx.insert(schema.teams).values({ name: t.name, timezone: t.timezone }).onConflictDoNothing();
      const [row] = await tx.select().from(schema.teams).where(eq(schema.teams.name, t.name));
      teamIds.set(t.name, row!.id);
    }
    const userRows = [
      ...TEAMS.flatMap((t) => t.agents.map((a) => ({ ...a, role: 'agent' as const, teamId: teamIds.get(t.name)! }))),
      { name: 'Marta Gómez', email: 'manager@nudge.local', role: 'manager' as const, teamId: null },
      { name: 'Viewer', email: 'viewer@nudge.local', role: 'viewer' as const, teamId: null },
    ];
    await tx.insert(schema.users).values(userRows.map((u) => ({ ...u, passwordHash }))).onConflictDoNothing();
    const users = await tx.select().from(schema.users);
    const agentsByTeam = new Map<string, string[]>();
    for (const u of users) if (u.role === 'agent' && u.teamId) agentsByTeam.set(u.teamId, [...(agentsByTeam.get(u.teamId) ?? []), u.id]);

    // industries, tag groups, tags
    await tx.insert(schema.industries).values(INDUSTRIES.map((name) => ({ name }))).onConflictDoNothing();
    const tagIds = new Map<string, { id: string; share: number; lifetime?: number }>();
    for (const g of TAG_GROUPS) {
      await tx.insert(schema.tagGroups).values({ name: g.name, dimension: g.dimension, description: g.description }).onConflictDoNothing();
      const [group] = await tx.select().from(schema.tagGroups).where(eq(schema.tagGroups.name, g.name));
      for (const t of g.tags) {
        const { share, ...tag } = t;
        await tx.insert(schema.tags).values({ ...tag, groupId: group!.id }).onConflictDoNothing();
        const [row] = await tx.select().from(schema.tags).where(sql`lower(${schema.tags.name}) = lower(${t.name})`);
        tagIds.set(t.name, { id: row!.id, share, lifetime: 'defaultLifetimeHours' in t ? t.defaultLifetimeHours : undefined });
      }
    }

    const customers: (typeof schema.customers.$inferInsert)[] = [];
    const interactions: (typeof schema.interactions.$inferInsert)[] = [];
    const customerTags: (typeof schema.customerTags.$inferInsert)[] = [];
    const localeWeights: [Locale, number][] = [['zh-TW', 0.4], ['zh-CN', 0.2], ['es', 0.2], ['en', 0.2]];
    const pickLocale = (): Locale => {
      let x = r.next();
      for (const [l, w] of localeWeights) if ((x -= w) < 0) return l;
      return 'en';
    };

    for (let i = 0; i < total; i++) {
      const id = randomUUID();
      const locale = pickLocale();
      const names = NAMES[locale];
      const family = r.pick(names.surnames);
      const given = r.pick(names.given);
      const fullName = names.order === 'family-first' ? `${family}${given}` : `${given} ${family}${locale === 'es' && r.chance(0.5) ? ` ${r.pick(names.surnames)}` : ''}`;
      const team = TEAMS.find((t) => t.locales.includes(locale))!;
      const teamId = teamIds.get(team.name)!;
      const ownerId = r.chance(0.9) ? r.pick(agentsByTeam.get(teamId) ?? [null]) : null;
      const co = COMPANIES[locale];
      const company = r.chance(0.85) ? `${r.pick(co.stems)}${locale.startsWith('zh') ? '' : ' '}${r.pick(co.suffixes)}` : null;
      const raw = r.chance(0.92) ? typedPhone(r, locale) : null;
      const parsed = raw ? parsePhoneNumberFromString(raw, REGIONS[locale]) : undefined;
      const phone = parsed?.isValid() ? (parsed.number as string) : null;
      const email = r.chance(locale.startsWith('zh') ? 0.5 : 0.85)
        ? `${locale.startsWith('zh') ? `client${i}` : `${ascii(given)}.${ascii(family)}${r.int(1, 99)}`}@${r.pick(['example.com', 'mail.example.org', 'empresa.example', 'corp.example.com.tw'])}`
        : null;
      const tier = r.chance(0.03) ? 'strategic' : r.pick(['A', 'B', 'B', 'C', 'C', 'C'] as const);
      const budgetMin = tier === 'A' || tier === 'strategic' ? r.int(50, 500) * 1000 : tier === 'B' ? r.int(10, 100) * 1000 : r.int(1, 20) * 1000;
      const firstContactAt = ago(r.int(1, 720) + r.next());
      const ageDays = (now.getTime() - firstContactAt.getTime()) / day;

      // timeline: 1–6 entries between first contact and now
      const n = r.int(1, 6);
      let lastInteractionAt: Date | null = null;
      let lastFollowUpAt: Date | null = null;
      let spend = 0;
      for (let k = 0; k < n; k++) {
        const at = new Date(firstContactAt.getTime() + r.next() * ageDays * day);
        const kind = r.pick(['message_in', 'message_in', 'message_out', 'message_out', 'note', 'call', 'order'] as const);
        const channel = kind === 'call' ? 'phone' : kind === 'message_in' || kind === 'message_out' ? r.pick(['whatsapp', 'whatsapp', 'email', 'sms']) : null;
        const amount = kind === 'order' ? r.int(5, 500) * 100 : 0;
        spend += amount;
        interactions.push({
          customerId: id,
          kind,
          channel,
          body:
            kind === 'message_in' ? r.pick(MESSAGES_IN[locale]) : kind === 'message_out' ? r.pick(MESSAGES_OUT[locale]) : kind === 'note' ? 'Prefers a call in the morning.' : kind === 'call' ? 'Follow-up call.' : `Order #${10000 + i * 10 + k}`,
          payload: kind === 'order' ? { amount, currency: CURRENCIES[locale], product: r.pick(PRODUCTS) } : {},
          createdBy: kind === 'message_in' ? null : ownerId,
          occurredAt: at,
        });
        if (!lastInteractionAt || at > lastInteractionAt) lastInteractionAt = at;
        if ((kind === 'message_out' || kind === 'call') && (!lastFollowUpAt || at > lastFollowUpAt)) lastFollowUpAt = at;
      }

      customers.push({
        id,
        fullName,
        company,
        industry: r.chance(0.9) ? r.pick(INDUSTRIES) : null,
        productsOfInterest: r.chance(0.7) ? [...new Set([r.pick(PRODUCTS), r.pick(PRODUCTS)])].slice(0, r.int(1, 2)) : [],
        phone,
        phoneRaw: raw,
        email,
        whatsappId: phone && r.chance(0.6) ? phone.slice(1) : null,
        budgetMin,
        budgetMax: budgetMin * r.int(2, 5),
        budgetCurrency: CURRENCIES[locale],
        preferredContactSlots: r.chance(0.6) ? [{ weekday: r.int(1, 5), part: r.pick(['morning', 'afternoon', 'evening'] as const) }] : [],
        timezone: TIMEZONES[locale],
        birthday: r.chance(0.5) ? `${r.int(1955, 2000)}-${String(r.int(1, 12)).padStart(2, '0')}-${String(r.int(1, 28)).padStart(2, '0')}` : null,
        tier,
        ownerId,
        teamId,
        optOutEmail: r.chance(0.04),
        optOutWhatsapp: r.chance(0.03),
        optOutSms: r.chance(0.05),
        points: r.int(0, 5000),
        membershipTier: r.pick(['bronze', 'bronze', 'silver', 'silver', 'gold', 'platinum'] as const),
        totalSpend: spend,
        firstContactAt,
        lastFollowUpAt,
        lastInteractionAt,
        priority: r.pick(['P1', 'P2', 'P3', 'P3', 'P3'] as const),
        winProbability: r.int(0, 100),
        source: r.pick(['manual', 'import', 'whatsapp', 'web form']),
        createdAt: firstContactAt,
        updatedAt: lastInteractionAt ?? firstContactAt,
      });

      for (const [name, t] of tagIds) {
        if (!r.chance(t.share)) continue;
        const addedAt = t.lifetime ? new Date(now.getTime() - r.next() * t.lifetime * 3_600_000) : lastInteractionAt ?? firstContactAt;
        customerTags.push({
          customerId: id,
          tagId: t.id,
          addedAt,
          expiresAt: t.lifetime ? new Date(addedAt.getTime() + t.lifetime * 3_600_000) : null,
          source: name === 'VIP' ? 'system' : 'user',
        });
      }
    }

    for (const part of chunk(customers, 500)) await tx.insert(schema.customers).values(part);
    for (const part of chunk(interactions, 1000)) await tx.insert(schema.interactions).values(part);
    for (const part of chunk(customerTags, 2000)) await tx.insert(schema.customerTags).values(part);

    await tx
      .insert(schema.segments)
      .values({
        name: 'Cold potentials',
        description: 'Tag = potential AND no follow-up for 30 days',
        definition: { type: 'and', conditions: [{ type: 'has_tag', tag: 'potential' }, { type: 'days_since', field: 'lastFollowUpAt', op: 'gte', days: 30 }] },
      })
      .onConflictDoNothing();
    await tx
      .insert(schema.settings)
      .values({ key: 'demo_data_loaded', value: now.toISOString() })
      .onConflictDoUpdate({ target: schema.settings.key, set: { value: now.toISOString() } });

    return { skipped: false, customers: customers.length, interactions: interactions.length, users: userRows.length };
  });
}
