import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { customerFields, schema } from '@nudge/db';
import { nowOf, type AppContext } from '../context.js';
import { hasRight, RIGHTS, type AuthUser } from '../http/auth.js';
import { writeAudit } from '../http/audit.js';
import { badRequest, forbidden, notFound } from '../http/errors.js';
import { createApiRouter } from '../http/route.js';
import { assertCanEdit, hiddenCustomFields, seesContacts, visibleTo } from './access.js';
import { createCsvWriter } from '@nudge/customer-import';
import {
  CustomerCreate,
  CustomerListOut,
  CustomerListQuery,
  CustomerOut,
  CustomerPatch,
  CustomerIdParams as IdParams,
  InteractionCreate,
  InteractionOut,
  TimelineOut,
  TimelineQuery,
} from '@nudge/contracts';
import {
  addInteraction,
  createCustomer,
  eraseCustomer,
  fieldRightsOf,
  getVisibleCustomer,
  loadFieldDefinitions,
  mergeCustomers,
  presentCustomer,
  presentInteraction,
  sensitiveFieldsSeen,
  tagsOf,
  updateCustomer,
} from './service.js';
import { segmentCondition } from '../segments/filter.js';
import { customerSearch } from './search.js';

const c = schema.customers;

/** One value → a CSV cell: lists stay lists, objects become JSON. */
function exportCell(v: unknown): string | number | boolean | null | readonly string[] {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean);
}

const FieldDefIn = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ (e.g. discount_rate)'),
    label: z.string().trim().min(1).max(200),
    type: z.enum(schema.customFieldType.enumValues),
    options: z.array(z.string().min(1).max(200)).min(1).max(200).optional(),
    requiredRight: z.string().min(1).max(100).nullable().optional().describe('e.g. "finance" for discount / cost'),
  })
  .refine((d) => d.type !== 'select' || d.options, { path: ['options'], message: 'a select field needs options' });
const FieldDefOut = z.object({
  key: z.string(),
  label: z.string(),
  type: z.string(),
  options: z.array(z.string()).nullable(),
  requiredRight: z.string().nullable(),
});

const sortColumn = {
  name: asc(c.fullName),
  '-name': desc(c.fullName),
  createdAt: asc(c.createdAt),
  '-createdAt': desc(c.createdAt),
  lastInteractionAt: sql`${c.lastInteractionAt} asc nulls first`,
  '-lastInteractionAt': sql`${c.lastInteractionAt} desc nulls last`,
} as const;

/**
 * The same orders as expressions no index provides. Used for text searches: there the planner
 * tends to walk the created_at index backwards hoping to meet 50 matches soon, and reads the whole
 * table when a search matches a handful (1M customers: 1 s); sorting the few trigram-index matches
 * instead takes milliseconds.
 */
const sortExpression = {
  name: sql`(${c.fullName} || '') asc`,
  '-name': sql`(${c.fullName} || '') desc`,
  createdAt: sql`(${c.createdAt} + interval '0 seconds') asc`,
  '-createdAt': sql`(${c.createdAt} + interval '0 seconds') desc`,
  lastInteractionAt: sql`(${c.lastInteractionAt} + interval '0 seconds') asc nulls first`,
  '-lastInteractionAt': sql`(${c.lastInteractionAt} + interval '0 seconds') desc nulls last`,
} as const;


type ListFilters = Omit<z.infer<typeof CustomerListQuery>, 'sort' | 'page' | 'pageSize'>;

async function listWhereFor(ctx: AppContext, query: ListFilters, user: AuthUser, now: Date): Promise<SQL | undefined> {
  const conds: (SQL | undefined)[] = [visibleTo(user)];
  if (query.archived === 'false') conds.push(isNull(c.archivedAt));
  if (query.archived === 'true') conds.push(isNotNull(c.archivedAt));
  if (query.ownerId) conds.push(eq(c.ownerId, query.ownerId));
  if (query.teamId) conds.push(eq(c.teamId, query.teamId));
  if (query.tier) conds.push(eq(c.tier, query.tier));
  if (query.q) conds.push(customerSearch(user, query.q));
  if (query.tag?.length) {
    // resolve names to ids first so the planner can use the (tag_id, customer_id) index
    const wanted = [...new Set(query.tag.map((t) => t.toLowerCase()))];
    const found = await ctx.db.db
      .select({ id: schema.tags.id, name: schema.tags.name })
      .from(schema.tags)
      .where(inArray(sql`lower(${schema.tags.name})`, wanted));
    const missing = wanted.filter((w) => !found.some((f) => f.name.toLowerCase() === w));
    if (missing.length) {
      throw badRequest('unknown_tag', `query.tag: unknown tag ${missing.map((m) => `"${m}"`).join(', ')}.`, [
        { path: 'query.tag', message: `unknown tag ${missing.join(', ')}` },
      ]);
    }
    for (const t of found) {
      conds.push(sql`exists (select 1 from customer_tags ct where ct.customer_id = ${c.id} and ct.tag_id = ${t.id}::uuid
        and (ct.expires_at is null or ct.expires_at > ${now.toISOString()}::timestamptz))`);
    }
  }
  if (query.segmentId) conds.push(await segmentCondition(ctx, query.segmentId, now));
  return and(...conds);
}

export function createCustomersRouter(ctx: AppContext) {
  const listWhere = (query: ListFilters, user: AuthUser, now: Date) => listWhereFor(ctx, query, user, now);
  const { router, route } = createApiRouter(ctx, '/api/customers', 'Customers');
  const db = () => ctx.db.db;

  // ---- custom field definitions and industries (before /:id so the paths do not collide)
  route({
    method: 'get',
    path: '/fields',
    summary: 'Custom field definitions',
    response: z.object({ items: z.array(FieldDefOut) }),
    handler: async () => ({ items: [...(await loadFieldDefinitions(db())).values()].map(({ key, label, type, options, requiredRight }) => ({ key, label, type, options, requiredRight })) }),
  });
  route({
    method: 'post',
    path: '/fields',
    summary: 'Define a custom field',
    action: 'customer.fields',
    body: FieldDefIn,
    response: FieldDefOut,
    status: 201,
    handler: async ({ body, user }) => {
      const [d] = await db()
        .insert(schema.customFieldDefinitions)
        .values({ ...body, options: body.options ?? null, requiredRight: body.requiredRight ?? null })
        .returning();
      await writeAudit(db(), user, { action: 'custom_field.create', entityType: 'custom_field', entityId: d!.key });
      return { key: d!.key, label: d!.label, type: d!.type, options: d!.options, requiredRight: d!.requiredRight };
    },
  });
  route({
    method: 'patch',
    path: '/fields/:key',
    summary: 'Change a custom field (label, options, required right; the type cannot change)',
    action: 'customer.fields',
    params: z.object({ key: z.string().min(1).max(63) }),
    body: z
      .object({
        label: z.string().trim().min(1).max(200),
        options: z.array(z.string().min(1).max(200)).min(1).max(200),
        requiredRight: z.string().min(1).max(100).nullable(),
      })
      .partial()
      .strict(),
    response: FieldDefOut,
    handler: async ({ params, body, user }) => {
      const [before] = await db().select().from(schema.customFieldDefinitions).where(eq(schema.customFieldDefinitions.key, params.key));
      if (!before) throw notFound('Custom field', params.key);
      if (body.options && before.type !== 'select') {
        throw badRequest('invalid_input', `body.options: only select fields have options ("${params.key}" is ${before.type}).`, [{ path: 'body.options', message: 'only for select fields' }]);
      }
      if (body.options && before.options) {
        // never orphan stored values: an option still used by a customer cannot be removed
        const removed = before.options.filter((o) => !body.options!.includes(o));
        for (const o of removed) {
          const [used] = await db().select({ n: count() }).from(c).where(sql`${c.customFields} @> ${JSON.stringify({ [params.key]: o })}::jsonb`);
          if (used!.n > 0) {
            throw badRequest('option_in_use', `body.options: "${o}" is still used by ${used!.n} customer(s); change them first.`, [{ path: 'body.options', message: `"${o}" in use` }]);
          }
        }
      }
      const [d] = await db().update(schema.customFieldDefinitions).set(body).where(eq(schema.customFieldDefinitions.key, params.key)).returning();
      await writeAudit(db(), user, { action: 'custom_field.update', entityType: 'custom_field', entityId: params.key, fields: Object.keys(body) });
      return { key: d!.key, label: d!.label, type: d!.type, options: d!.options, requiredRight: d!.requiredRight };
    },
  });
  route({
    method: 'get',
    path: '/industries',
    summary: 'The managed list of industries',
    response: z.object({ items: z.array(z.string()) }),
    handler: async () => ({ items: (await db().select().from(schema.industries).orderBy(schema.industries.name)).map((i) => i.name) }),
  });
  route({
    method: 'post',
    path: '/industries',
    summary: 'Add industries to the managed list',
    action: 'customer.fields',
    body: z.object({ names: z.array(z.string().trim().min(1).max(100)).min(1).max(500) }),
    response: z.object({ items: z.array(z.string()) }),
    status: 201,
    handler: async ({ body }) => {
      await db().insert(schema.industries).values(body.names.map((name) => ({ name }))).onConflictDoNothing();
      return { items: (await db().select().from(schema.industries).orderBy(schema.industries.name)).map((i) => i.name) };
    },
  });

  // ---- list / search
  route({
    method: 'get',
    path: '/',
    summary: 'Search and page through customers',
    query: CustomerListQuery,
    response: CustomerListOut,
    handler: async ({ query, user }) => {
      const now = nowOf(ctx);
      const where = await listWhere(query, user, now);
      const [totalRow] = await db().select({ n: count() }).from(c).where(where);
      const rows = await db()
        .select()
        .from(c)
        .where(where)
        .orderBy(query.q ? sortExpression[query.sort] : sortColumn[query.sort], asc(c.id))
        .limit(query.pageSize)
        .offset((query.page - 1) * query.pageSize);
      const defs = await loadFieldDefinitions(db());
      const tags = await tagsOf(db(), rows.map((r) => r.id), now);
      const items = rows.map((r) => presentCustomer(r, tags.get(r.id) ?? [], user, defs));
      const seen = rows.filter((r) => sensitiveFieldsSeen(r, user, defs).length > 0);
      if (seen.length) {
        await writeAudit(db(), user, {
          action: 'customer.list_sensitive',
          entityType: 'customer',
          fields: [...new Set(seen.flatMap((r) => sensitiveFieldsSeen(r, user, defs)))],
          details: { customerIds: seen.map((r) => r.id) },
        });
      }
      return { items, total: totalRow!.n, page: query.page, pageSize: query.pageSize };
    },
  });

  route({
    method: 'post',
    path: '/',
    action: 'customer.create',
    summary: 'Create a customer',
    body: CustomerCreate,
    response: CustomerOut,
    status: 201,
    handler: async ({ body, user }) => {
      assertCanEdit(user);
      const row = await createCustomer(ctx, user, body);
      return presentCustomer(row, [], user, await loadFieldDefinitions(db()));
    },
  });

  // ---- CSV export of a filtered list (formula-injection safe, RFC 4180); audited
  route({
    method: 'get',
    path: '/export.csv',
    summary: 'Export customers matching the list filters as CSV (masked as your role requires); audited',
    query: CustomerListQuery.omit({ sort: true, page: true, pageSize: true }),
    produces: 'text/csv',
    handler: async ({ query, user, res }) => {
      if (!hasRight(user, RIGHTS.export) || user.role === 'viewer') {
        throw forbidden(`Exporting customers needs the "${RIGHTS.export}" right (admins and managers have it).`);
      }
      const now = nowOf(ctx);
      const where = await listWhere(query, user, now);
      const defs = await loadFieldDefinitions(db());
      const hidden = hiddenCustomFields(user, fieldRightsOf(defs));
      const customKeys = [...defs.keys()].filter((k) => !hidden.has(k)).sort();
      const columns = customerFields.export.map((f) => f.name);
      const headers = [...columns, 'tags', ...customKeys.map((k) => `custom.${k}`)];
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="customers-${now.toISOString().slice(0, 10)}.csv"`);
      const writer = createCsvWriter(headers, { bom: true });
      writer.stream.pipe(res);
      let after: string | undefined;
      let exported = 0;
      for (;;) {
        const rows = await db()
          .select()
          .from(c)
          .where(and(where, after ? sql`${c.id} > ${after}::uuid` : undefined))
          .orderBy(asc(c.id))
          .limit(2000);
        if (rows.length === 0) break;
        const tags = await tagsOf(db(), rows.map((r) => r.id), now);
        for (const r of rows) {
          const p = presentCustomer(r, tags.get(r.id) ?? [], user, defs);
          const record = p as unknown as Record<string, unknown>;
          const line = [
            ...columns.map((name) => exportCell(record[name])),
            p.tags.map((t) => t.name),
            ...customKeys.map((k) => exportCell(p.customFields[k])),
          ];
          if (!writer.write(line)) await new Promise((resolve) => writer.stream.once('drain', resolve));
        }
        exported += rows.length;
        after = rows.at(-1)!.id;
      }
      await writeAudit(db(), user, {
        action: 'customer.export',
        entityType: 'customer',
        fields: [...headers],
        details: { count: exported, filters: query, masked: !seesContacts(user) },
      });
      writer.end();
      await new Promise<void>((resolve) => res.on('finish', () => resolve()));
    },
  });

  // ---- one customer
  route({
    method: 'get',
    path: '/:id',
    summary: 'One customer (sensitive fields it shows unmasked are written to the audit log)',
    params: IdParams,
    response: CustomerOut,
    handler: async ({ params, user }) => {
      const row = await getVisibleCustomer(ctx, user, params.id);
      const defs = await loadFieldDefinitions(db());
      const seen = sensitiveFieldsSeen(row, user, defs);
      if (seen.length) await writeAudit(db(), user, { action: 'customer.view_sensitive', entityType: 'customer', entityId: row.id, fields: seen });
      const tags = await tagsOf(db(), [row.id], nowOf(ctx));
      return presentCustomer(row, tags.get(row.id) ?? [], user, defs);
    },
  });

  route({
    method: 'patch',
    path: '/:id',
    action: 'customer.edit',
    summary: 'Change a customer (null clears a field)',
    params: IdParams,
    body: CustomerPatch,
    response: CustomerOut,
    handler: async ({ params, body, user }) => {
      assertCanEdit(user);
      await getVisibleCustomer(ctx, user, params.id);
      const { row } = await updateCustomer(ctx, user, params.id, body);
      const tags = await tagsOf(db(), [row.id], nowOf(ctx));
      return presentCustomer(row, tags.get(row.id) ?? [], user, await loadFieldDefinitions(db()));
    },
  });

  route({
    method: 'delete',
    path: '/:id',
    summary: 'Erase a customer and all their data on request (GDPR); audited',
    action: 'customer.delete',
    params: IdParams,
    query: z.object({ reason: z.string().max(500).optional() }),
    status: 204,
    handler: async ({ params, query, user }) => {
      await eraseCustomer(ctx, user, params.id, query.reason);
    },
  });

  for (const [path, archived] of [['/:id/archive', true], ['/:id/restore', false]] as const) {
    route({
      method: 'post',
      path,
      action: 'customer.archive',
      summary: archived ? 'Archive a customer' : 'Restore an archived customer',
      params: IdParams,
      response: CustomerOut,
      handler: async ({ params, user }) => {
        assertCanEdit(user);
        const before = await getVisibleCustomer(ctx, user, params.id);
        const [row] = await db()
          .update(c)
          .set({ archivedAt: archived ? nowOf(ctx) : null, updatedAt: nowOf(ctx) })
          .where(eq(c.id, before.id))
          .returning();
        await writeAudit(db(), user, { action: archived ? 'customer.archive' : 'customer.restore', entityType: 'customer', entityId: row!.id });
        const tags = await tagsOf(db(), [row!.id], nowOf(ctx));
        return presentCustomer(row!, tags.get(row!.id) ?? [], user, await loadFieldDefinitions(db()));
      },
    });
  }

  route({
    method: 'post',
    path: '/:id/merge',
    summary: 'Merge another customer (sourceId) into this one; conflicts kept on the timeline; audited',
    action: 'customer.merge',
    params: IdParams,
    body: z.object({ sourceId: z.uuid() }),
    response: z.object({ customer: CustomerOut, conflicts: z.array(z.object({ field: z.string(), kept: z.unknown(), other: z.unknown() })) }),
    handler: async ({ params, body, user }) => {
      const { conflicts } = await mergeCustomers(ctx, user, params.id, body.sourceId);
      const row = await getVisibleCustomer(ctx, user, params.id);
      const tags = await tagsOf(db(), [row.id], nowOf(ctx));
      return { customer: presentCustomer(row, tags.get(row.id) ?? [], user, await loadFieldDefinitions(db())), conflicts };
    },
  });

  // ---- timeline
  route({
    method: 'get',
    path: '/:id/timeline',
    summary: 'The customer timeline, newest first, paged by cursor',
    params: IdParams,
    query: TimelineQuery,
    response: TimelineOut,
    handler: async ({ params, query, user }) => {
      await getVisibleCustomer(ctx, user, params.id);
      const i = schema.interactions;
      const conds: (SQL | undefined)[] = [eq(i.customerId, params.id)];
      if (query.kind?.length) conds.push(inArray(i.kind, query.kind));
      if (query.before) {
        const [at, id] = Buffer.from(query.before, 'base64url').toString().split('|');
        if (!at || !id || Number.isNaN(Date.parse(at))) throw badRequest('invalid_input', 'query.before: not a cursor returned by this endpoint.');
        conds.push(or(lt(i.occurredAt, new Date(at)), and(eq(i.occurredAt, new Date(at)), lt(i.id, id))));
      }
      const rows = await db()
        .select()
        .from(i)
        .where(and(...conds))
        .orderBy(desc(i.occurredAt), desc(i.id))
        .limit(query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const nextCursor = rows.length > query.limit && last ? Buffer.from(`${last.occurredAt.toISOString()}|${last.id}`).toString('base64url') : null;
      return { items: page.map(presentInteraction), nextCursor };
    },
  });

  route({
    method: 'post',
    path: '/:id/notes',
    action: 'customer.note',
    summary: 'Add an internal note to the timeline',
    params: IdParams,
    body: z.object({ body: z.string().trim().min(1).max(20_000) }),
    response: InteractionOut,
    status: 201,
    handler: async ({ params, body, user }) => {
      assertCanEdit(user);
      await getVisibleCustomer(ctx, user, params.id);
      return presentInteraction(await addInteraction(ctx, user.id, params.id, { kind: 'note', body: body.body }));
    },
  });

  route({
    method: 'post',
    path: '/:id/interactions',
    action: 'customer.note',
    summary: 'Record a message, call, task, order… on the timeline',
    params: IdParams,
    body: InteractionCreate,
    response: InteractionOut,
    status: 201,
    handler: async ({ params, body, user }) => {
      assertCanEdit(user);
      await getVisibleCustomer(ctx, user, params.id);
      return presentInteraction(await addInteraction(ctx, user.id, params.id, body));
    },
  });

  // ---- export of one customer's data (data portability); audited
  route({
    method: 'get',
    path: '/:id/export',
    summary: "Everything stored about one customer (GDPR export); audited",
    params: IdParams,
    handler: async ({ params, user }) => {
      if (!hasRight(user, RIGHTS.export) || user.role === 'viewer') {
        throw forbidden(`Exporting customer data needs the "${RIGHTS.export}" right (admins and managers have it).`);
      }
      const row = await getVisibleCustomer(ctx, user, params.id);
      const tags = await db()
        .select({ name: schema.tags.name, addedAt: schema.customerTags.addedAt, expiresAt: schema.customerTags.expiresAt, source: schema.customerTags.source })
        .from(schema.customerTags)
        .innerJoin(schema.tags, eq(schema.tags.id, schema.customerTags.tagId))
        .where(eq(schema.customerTags.customerId, row.id));
      const timeline = await db().select().from(schema.interactions).where(eq(schema.interactions.customerId, row.id)).orderBy(desc(schema.interactions.occurredAt));
      await writeAudit(db(), user, { action: 'customer.export', entityType: 'customer', entityId: row.id, fields: Object.keys(row) });
      const hidden = hiddenCustomFields(user, fieldRightsOf(await loadFieldDefinitions(db())));
      return {
        exportedAt: nowOf(ctx).toISOString(),
        customer: { ...row, customFields: Object.fromEntries(Object.entries(row.customFields).filter(([k]) => !hidden.has(k))) },
        tags,
        timeline: timeline.map(presentInteraction),
      };
    },
  });

  return router;
}

