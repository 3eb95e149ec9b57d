/**
 * Tags on customers: add (with an expiry from the tag's default lifetime), remove, expire.
 * Exported for the flow engine's add/remove-tag actions and the scheduled expiry job.
 */
import { and, eq, sql } from 'drizzle-orm';
import { schema, type DbHandle } from '@nudge/db';
import { emitEvents, nowOf, type AppContext, type DomainEvent } from '../context.js';
import type { AuthUser } from '../http/auth.js';
import { badRequest, notFound } from '../http/errors.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export type TagRow = typeof schema.tags.$inferSelect;

/** A tag by id or (case-insensitive) name. */
export async function findTag(db: DbHandle, ref: string): Promise<TagRow | undefined> {
  const t = schema.tags;
  const [row] = await db.db
    .select()
    .from(t)
    .where(UUID_RE.test(ref) ? eq(t.id, ref) : sql`lower(${t.name}) = lower(${ref})`)
    .limit(1);
  return row;
}

export interface AddTagOptions {
  /** Explicit expiry; `null` = never; undefined = the tag's default lifetime (if any). */
  expiresAt?: Date | null;
  /** Lifetime in hours from now (alternative to expiresAt). */
  lifetimeHours?: number;
  source?: string;
}

export async function addTag(ctx: AppContext, actor: AuthUser | null, customerId: string, tagRef: string, opts: AddTagOptions = {}) {
  const tag = await findTag(ctx.db, tagRef);
  if (!tag) throw badRequest('unknown_tag', `Tag "${tagRef}" does not exist; create it first (POST /api/tags).`, [{ path: 'body.tag', message: 'unknown tag' }]);
  const now = nowOf(ctx);
  let expiresAt: Date | null = null;
  if (opts.expiresAt !== undefined) expiresAt = opts.expiresAt;
  else if (opts.lifetimeHours !== undefined) expiresAt = new Date(now.getTime() + opts.lifetimeHours * 3_600_000);
  else if (tag.defaultLifetimeHours) expiresAt = new Date(now.getTime() + tag.defaultLifetimeHours * 3_600_000);
  if (expiresAt && expiresAt <= now) throw badRequest('invalid_input', 'expiresAt must be in the future.', [{ path: 'body.expiresAt', message: 'in the past' }]);
  const source = opts.source ?? (actor ? 'user' : 'system');
  await ctx.db.db.transaction(async (tx) => {
    const [cust] = await tx.select({ id: schema.customers.id }).from(schema.customers).where(eq(schema.customers.id, customerId));
    if (!cust) throw notFound('Customer', customerId);
    await tx
      .insert(schema.customerTags)
      .values({ customerId, tagId: tag.id, addedAt: now, expiresAt, addedBy: actor?.id ?? null, source })
      .onConflictDoUpdate({
        target: [schema.customerTags.customerId, schema.customerTags.tagId],
        set: { addedAt: now, expiresAt, addedBy: actor?.id ?? null, source, remindedAt: null },
      });
    await tx.insert(schema.interactions).values({
      customerId,
      kind: 'system',
      body: `Tag "${tag.name}" added${expiresAt ? ` (expires ${expiresAt.toISOString()})` : ''}.`,
      payload: { event: 'tag_added', tagId: tag.id, tag: tag.name, expiresAt: expiresAt?.toISOString() ?? null, source },
      createdBy: actor?.id ?? null,
      occurredAt: now,
    });
  });
  await emitEvents(ctx, [{ type: 'tag.added', customerId, tagId: tag.id, tagName: tag.name, expiresAt }]);
  return { tag, expiresAt };
}

export async function removeTag(ctx: AppContext, actor: AuthUser | null, customerId: string, tagRef: string): Promise<boolean> {
  const tag = await findTag(ctx.db, tagRef);
  if (!tag) throw badRequest('unknown_tag', `Tag "${tagRef}" does not exist.`);
  const now = nowOf(ctx);
  const removed = await ctx.db.db.transaction(async (tx) => {
    const r = await tx
      .delete(schema.customerTags)
      .where(and(eq(schema.customerTags.customerId, customerId), eq(schema.customerTags.tagId, tag.id)))
      .returning({ id: schema.customerTags.tagId });
    if (!r.length) return false;
    await tx.insert(schema.interactions).values({
      customerId,
      kind: 'system',
      body: `Tag "${tag.name}" removed.`,
      payload: { event: 'tag_removed', tagId: tag.id, tag: tag.name, reason: 'manual' },
      createdBy: actor?.id ?? null,
      occurredAt: now,
    });
    return true;
  });
  if (removed) await emitEvents(ctx, [{ type: 'tag.removed', customerId, tagId: tag.id, tagName: tag.name, reason: 'manual' }]);
  return removed;
}

/**
 * The scheduled job: removes every tag whose expiry has passed and writes a timeline entry for
 * each, in one transaction. Returns what was removed. Safe to run concurrently or repeatedly.
 */
export async function expireTags(
  db: DbHandle,
  now: Date = new Date(),
  onEvent?: AppContext['onEvent'],
): Promise<{ removed: { customerId: string; tagId: string; tagName: string }[] }> {
  const at = now.toISOString();
  const removed = await db.db.transaction(async (tx) => {
    const rows = (await tx.execute(sql`
      with gone as (
        delete from customer_tags where expires_at is not null and expires_at <= ${at}::timestamptz
        returning customer_id, tag_id, expires_at
      ), logged as (
        insert into interactions (customer_id, kind, body, payload, occurred_at)
        select g.customer_id, 'system', 'Tag "' || t.name || '" expired.',
               jsonb_build_object('event', 'tag_expired', 'tagId', g.tag_id, 'tag', t.name, 'expiredAt', to_char(g.expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
               ${at}::timestamptz
        from gone g join tags t on t.id = g.tag_id
        returning 1
      )
      select g.customer_id as "customerId", g.tag_id as "tagId", t.name as "tagName"
      from gone g join tags t on t.id = g.tag_id`)) as unknown;
    return (Array.isArray(rows) ? rows : (rows as { rows: unknown[] }).rows) as { customerId: string; tagId: string; tagName: string }[];
  });
  if (onEvent) {
    const events: DomainEvent[] = removed.map((r) => ({ type: 'tag.removed', ...r, reason: 'expired' as const }));
    await emitEvents({ db, onEvent }, events);
  }
  return { removed };
}

/**
 * Tag reminders (e.g. "quote sent" → a reminder on day 6): for every live customer tag whose
 * `reminder_after_hours` has passed and that was not reminded yet, one open task for the
 * customer's owner is written to the timeline and `reminded_at` is set — in one statement, so a
 * tag is never reminded twice, even with two schedulers.
 */
export async function issueTagReminders(
  db: DbHandle,
  now: Date = new Date(),
  onEvent?: AppContext['onEvent'],
): Promise<{ reminded: { customerId: string; tagId: string; tagName: string; ownerId: string | null }[] }> {
  const at = now.toISOString();
  const res = (await db.db.execute(sql`
    with due as (
      update customer_tags ct set reminded_at = ${at}::timestamptz
      from tags t
      where t.id = ct.tag_id and t.reminder_after_hours is not null and ct.reminded_at is null
        and ct.added_at + t.reminder_after_hours * interval '1 hour' <= ${at}::timestamptz
        and (ct.expires_at is null or ct.expires_at > ${at}::timestamptz)
      returning ct.customer_id, ct.tag_id, t.name, ct.added_at, ct.expires_at
    ), tasks as (
      insert into interactions (customer_id, kind, body, payload, occurred_at)
      select d.customer_id, 'task', 'Follow up: tagged "' || d.name || '" since ' || to_char(d.added_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC.',
             jsonb_build_object('event', 'tag_reminder', 'tagId', d.tag_id, 'tag', d.name, 'assigneeId', c.owner_id,
                                'since', to_char(d.added_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                'dueAt', to_char(coalesce(d.expires_at, ${at}::timestamptz) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'status', 'open'),
             ${at}::timestamptz
      from due d join customers c on c.id = d.customer_id
      returning 1
    )
    select d.customer_id as "customerId", d.tag_id as "tagId", d.name as "tagName", c.owner_id as "ownerId"
    from due d join customers c on c.id = d.customer_id`)) as unknown;
  const reminded = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as {
    customerId: string; tagId: string; tagName: string; ownerId: string | null;
  }[];
  if (onEvent) await emitEvents({ db, onEvent }, reminded.map((r) => ({ type: 'tag.reminder_due' as const, ...r })));
  return { reminded };
}

/** Customers whose tags expire within `days` (soonest first). */
export async function tagsExpiringWithin(db: DbHandle, days: number, now: Date, opts: { tag?: string; limit?: number } = {}) {
  const until = new Date(now.getTime() + days * 86_400_000);
  const ct = schema.customerTags;
  const rows = await db.db
    .select({
      customerId: ct.customerId,
      fullName: schema.customers.fullName,
      ownerId: schema.customers.ownerId,
      teamId: schema.customers.teamId,
      tagId: ct.tagId,
      tag: schema.tags.name,
      expiresAt: ct.expiresAt,
    })
    .from(ct)
    .innerJoin(schema.tags, eq(schema.tags.id, ct.tagId))
    .innerJoin(schema.customers, eq(schema.customers.id, ct.customerId))
    .where(
      and(
        sql`${ct.expiresAt} > ${now.toISOString()}::timestamptz`,
        sql`${ct.expiresAt} <= ${until.toISOString()}::timestamptz`,
        opts.tag ? sql`lower(${schema.tags.name}) = lower(${opts.tag})` : undefined,
      ),
    )
    .orderBy(ct.expiresAt)
    .limit(opts.limit ?? 500);
  return rows;
}

/** What the advice of tag health says (the editor words it; `suggestion` is the English text). */
export const TAG_ADVICE_CODES = ['split_or_drop', 'merge_into', 'merge_related'] as const;
type TagAdviceCode = (typeof TAG_ADVICE_CODES)[number];
type TagDimension = (typeof schema.TAG_DIMENSIONS)[number];

export const OVERUSED_SHARE = 0.4;
export const RARE_SHARE = 0.05;

/**
 * Tag health: share of (non-archived) customers per tag; tags on more than 40 % are flagged
 * (they no longer separate anyone), tags under 5 % get a merge suggestion (the most used tag of
 * the same group). Response rate: of the tagged customers we messaged in the last 90 days, the
 * share who wrote back.
 */
export async function tagHealth(db: DbHandle, now: Date) {
  const since = new Date(now.getTime() - 90 * 86_400_000).toISOString();
  const at = now.toISOString();
  // One pass over the live customer tags, joined with per-customer "messaged" / "replied" sets.
  const res = (await db.db.execute(sql`
    with total as (select count(*)::int as n from customers where archived_at is null),
    sent as (select distinct customer_id from interactions where kind = 'message_out' and occurred_at >= ${since}::timestamptz),
    replied as (select distinct customer_id from interactions where kind = 'message_in' and occurred_at >= ${since}::timestamptz),
    usage as (
      select ct.tag_id, count(*)::int as n,
             count(s.customer_id)::int as sent,
             count(r.customer_id) filter (where s.customer_id is not null)::int as replied
      from customer_tags ct
      join customers c on c.id = ct.customer_id and c.archived_at is null
      left join sent s on s.customer_id = ct.customer_id
      left join replied r on r.customer_id = ct.customer_id
      where ct.expires_at is null or ct.expires_at > ${at}::timestamptz
      group by ct.tag_id
    )
    select t.id, t.name, t.group_id as "groupId", g.name as "groupName", g.dimension::text as dimension, coalesce(u.n, 0) as customers,
           (select n from total) as total, coalesce(u.sent, 0) as sent, coalesce(u.replied, 0) as replied
    from tags t left join tag_groups g on g.id = t.group_id
    left join usage u on u.tag_id = t.id
    order by coalesce(u.n, 0) desc, t.name`)) as unknown;
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as {
    id: string; name: string; groupId: string | null; groupName: string | null; dimension: TagDimension | null; customers: number; total: number; sent: number; replied: number;
  }[];
  const total = rows[0]?.total ?? 0;
  const items = rows.map((r) => {
    const share = total ? r.customers / total : 0;
    let flag: 'overused' | 'rare' | null = null;
    let suggestion: string | null = null;
    let advice: { code: TagAdviceCode; params: { share: number; peer?: string } } | null = null;
    if (share > OVERUSED_SHARE) {
      flag = 'overused';
      suggestion = `On ${(share * 100).toFixed(1)}% of customers: split it into narrower tags or drop it.`;
      advice = { code: 'split_or_drop', params: { share } };
    } else if (share < RARE_SHARE) {
      flag = 'rare';
      const peer = rows.find((o) => o.id !== r.id && o.groupId === r.groupId && o.customers / (total || 1) >= RARE_SHARE);
      suggestion = peer
        ? `On ${(share * 100).toFixed(1)}% of customers: consider merging into "${peer.name}".`
        : `On ${(share * 100).toFixed(1)}% of customers: consider merging it with a related tag.`;
      advice = peer ? { code: 'merge_into', params: { share, peer: peer.name } } : { code: 'merge_related', params: { share } };
    }
    return {
      id: r.id,
      name: r.name,
      group: r.groupName,
      dimension: r.dimension,
      customers: Number(r.customers),
      share,
      responseRate: r.sent ? Number(r.replied) / Number(r.sent) : null,
      flag,
      suggestion,
      advice,
    };
  });
  return { totalCustomers: Number(total), items };
}
