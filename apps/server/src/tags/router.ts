import { asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { schema } from '@nudge/db';
import { nowOf, type AppContext } from '../context.js';
import { writeAudit } from '../http/audit.js';
import { badRequest, notFound } from '../http/errors.js';
import { createApiRouter } from '../http/route.js';
import { TagGroupIn as GroupIn, TagGroupListOut, TagGroupOut as GroupOut, TagHealthOut, TagIdParams as IdParams, TagIn, TagListOut, TagOut } from '@nudge/contracts';
import { assertCanEdit } from '../customers/access.js';
import { getVisibleCustomer } from '../customers/service.js';
import { addTag, expireTags, removeTag, tagHealth, tagsExpiringWithin } from './service.js';

const presentTag = (t: typeof schema.tags.$inferSelect) => ({
  id: t.id,
  name: t.name,
  groupId: t.groupId,
  color: t.color,
  description: t.description,
  defaultLifetimeHours: t.defaultLifetimeHours,
  reminderAfterHours: t.reminderAfterHours,
});

export function createTagsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/tags', 'Tags');
  const db = () => ctx.db.db;

  route({
    method: 'get',
    path: '/groups',
    summary: 'Tag groups (dimensions)',
    response: TagGroupListOut,
    handler: async () => ({
      items: (await db().select().from(schema.tagGroups).orderBy(asc(schema.tagGroups.name))).map((g) => ({
        id: g.id, name: g.name, dimension: g.dimension, description: g.description,
      })),
    }),
  });
  route({
    method: 'post',
    path: '/groups',
    summary: 'Create a tag group',
    action: 'tag.manage',
    body: GroupIn,
    response: GroupOut,
    status: 201,
    handler: async ({ body }) => {
      const [g] = await db().insert(schema.tagGroups).values({ ...body, description: body.description ?? null }).returning();
      return { id: g!.id, name: g!.name, dimension: g!.dimension, description: g!.description };
    },
  });

  route({
    method: 'patch',
    path: '/groups/:id',
    summary: 'Change a tag group',
    action: 'tag.manage',
    params: IdParams,
    body: GroupIn.partial(),
    response: GroupOut,
    handler: async ({ params, body }) => {
      const [g] = await db().update(schema.tagGroups).set(body).where(eq(schema.tagGroups.id, params.id)).returning();
      if (!g) throw notFound('Tag group', params.id);
      return { id: g.id, name: g.name, dimension: g.dimension, description: g.description };
    },
  });
  route({
    method: 'delete',
    path: '/groups/:id',
    summary: 'Delete a tag group (its tags stay, without a group)',
    action: 'tag.manage',
    params: IdParams,
    status: 204,
    handler: async ({ params, user }) => {
      const r = await db().delete(schema.tagGroups).where(eq(schema.tagGroups.id, params.id)).returning();
      if (!r.length) throw notFound('Tag group', params.id);
      await writeAudit(db(), user, { action: 'tag_group.delete', entityType: 'tag_group', entityId: params.id, details: { name: r[0]!.name } });
    },
  });

  route({
    method: 'get',
    path: '/',
    summary: 'Tags, with how many customers carry each',
    response: TagListOut,
    handler: async () => {
      const now = nowOf(ctx).toISOString();
      const rows = await db()
        .select({
          tag: schema.tags,
          customers: sql<number>`(select count(*)::int from customer_tags ct where ct.tag_id = ${schema.tags.id} and (ct.expires_at is null or ct.expires_at > ${now}::timestamptz))`,
        })
        .from(schema.tags)
        .orderBy(asc(schema.tags.name));
      return { items: rows.map((r) => ({ ...presentTag(r.tag), customers: Number(r.customers) })) };
    },
  });
  route({
    method: 'post',
    path: '/',
    summary: 'Create a tag',
    action: 'tag.manage',
    body: TagIn,
    response: TagOut,
    status: 201,
    handler: async ({ body }) => {
      const [t] = await db().insert(schema.tags).values(body).returning();
      return presentTag(t!);
    },
  });
  route({
    method: 'patch',
    path: '/:id',
    summary: 'Change a tag',
    action: 'tag.manage',
    params: IdParams,
    body: TagIn.partial(),
    response: TagOut,
    handler: async ({ params, body }) => {
      const [t] = await db().update(schema.tags).set(body).where(eq(schema.tags.id, params.id)).returning();
      if (!t) throw notFound('Tag', params.id);
      return presentTag(t);
    },
  });
  route({
    method: 'delete',
    path: '/:id',
    summary: 'Delete a tag (removes it from every customer)',
    action: 'tag.manage',
    params: IdParams,
    status: 204,
    handler: async ({ params, user }) => {
      const r = await db().delete(schema.tags).where(eq(schema.tags.id, params.id)).returning();
      if (!r.length) throw notFound('Tag', params.id);
      await writeAudit(db(), user, { action: 'tag.delete', entityType: 'tag', entityId: params.id, details: { name: r[0]!.name } });
    },
  });

  route({
    method: 'get',
    path: '/expiring',
    summary: 'Customer tags that expire within N days',
    query: z.object({ withinDays: z.coerce.number().min(0).max(3650).default(1), tag: z.string().optional(), limit: z.coerce.number().int().min(1).max(5000).default(500) }),
    handler: async ({ query, user }) => {
      const rows = await tagsExpiringWithin(ctx.db, query.withinDays, nowOf(ctx), { tag: query.tag, limit: query.limit });
      const visible = user.role === 'agent' ? rows.filter((r) => r.ownerId === user.id || (!!user.teamId && r.teamId === user.teamId)) : rows;
      return { items: visible.map((r) => ({ customerId: r.customerId, fullName: r.fullName, tagId: r.tagId, tag: r.tag, expiresAt: r.expiresAt!.toISOString() })) };
    },
  });

  route({
    method: 'get',
    path: '/health',
    summary: 'Tag health: share per tag, >40 % flagged, <5 % merge suggestions, response rate',
    action: 'tag.health',
    response: TagHealthOut,
    handler: async () => tagHealth(ctx.db, nowOf(ctx)),
  });

  route({
    method: 'post',
    path: '/expire',
    summary: 'Run the tag expiry job now (it also runs on a schedule)',
    action: 'tag.expire',
    response: z.object({ removed: z.number() }),
    handler: async () => ({ removed: (await expireTags(ctx.db, nowOf(ctx), ctx.onEvent)).removed.length }),
  });

  return router;
}

const AddTagBody = z
  .object({
    tag: z.string().trim().min(1).max(200).describe('Tag id or name'),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional().describe('null = never; omitted = the tag\'s default lifetime'),
    lifetimeHours: z.number().min(1).max(24 * 3650).optional(),
  })
  .refine((b) => b.expiresAt === undefined || b.lifetimeHours === undefined, { message: 'give expiresAt or lifetimeHours, not both', path: ['lifetimeHours'] });

/** /api/customers/:id/tags — tagging a customer (agents: their own customers). */
export function createCustomerTagsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/customers', 'Tags');
  route({
    method: 'post',
    path: '/:id/tags',
    action: 'customer.tag',
    summary: 'Tag a customer (with optional expiry)',
    params: IdParams,
    body: AddTagBody,
    response: z.object({ tagId: z.string(), tag: z.string(), expiresAt: z.string().nullable() }),
    status: 201,
    handler: async ({ params, body, user }) => {
      assertCanEdit(user);
      await getVisibleCustomer(ctx, user, params.id);
      const r = await addTag(ctx, user, params.id, body.tag, {
        expiresAt: body.expiresAt === undefined ? undefined : body.expiresAt === null ? null : new Date(body.expiresAt),
        lifetimeHours: body.lifetimeHours,
      });
      return { tagId: r.tag.id, tag: r.tag.name, expiresAt: r.expiresAt?.toISOString() ?? null };
    },
  });
  route({
    method: 'delete',
    path: '/:id/tags/:tag',
    action: 'customer.tag',
    summary: 'Remove a tag from a customer',
    params: z.object({ id: z.uuid(), tag: z.string().min(1).max(200) }),
    status: 204,
    handler: async ({ params, user }) => {
      assertCanEdit(user);
      await getVisibleCustomer(ctx, user, params.id);
      const removed = await removeTag(ctx, user, params.id, params.tag);
      if (!removed) throw badRequest('not_tagged', `Customer ${params.id} does not have tag "${params.tag}".`);
    },
  });
  return router;
}
