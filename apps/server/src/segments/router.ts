import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { SegmentCountOut, SegmentListOut, SegmentMembershipOut, SegmentOut } from '@nudge/contracts';
import { customerFields, schema } from '@nudge/db';
import { nowOf, type AppContext } from '../context.js';
import { writeAudit } from '../http/audit.js';
import { seesContacts } from '../customers/access.js';
import { notFound } from '../http/errors.js';
import { createApiRouter } from '../http/route.js';
import { compileSegment, OPS_BY_TYPE, SEGMENT_FIELDS, SegmentError } from './compile.js';
import { getVisibleCustomer } from '../customers/service.js';
import { COMPARE_OPS, DATE_FIELDS, SegmentDefinition } from './model.js';
import { countSegment, customerInSegment, parseSegmentTree } from './service.js';

const SegmentIn = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  // validated by parseSegmentTree so that errors name the tree path; documented as SegmentCondition
  definition: SegmentDefinition,
});
const IdParams = z.object({ id: z.uuid() });

const present = (s: typeof schema.segments.$inferSelect) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  definition: s.definition,
  createdBy: s.createdBy,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
});

export function createSegmentsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/segments', 'Segments');
  const db = () => ctx.db.db;

  route({
    method: 'post',
    path: '/count',
    summary: 'Live count of an unsaved condition tree (for the builder preview)',
    body: z.object({ definition: SegmentDefinition }),
    response: SegmentCountOut,
    handler: async ({ body, user }) => {
      const t0 = performance.now();
      const tree = parseSegmentTree(body.definition, 'body.definition');
      const count = await countSegment(ctx.db, tree, { now: nowOf(ctx), user, path: 'body.definition' });
      return { count, tookMs: Math.round(performance.now() - t0) };
    },
  });

  route({
    method: 'get',
    path: '/fields',
    summary: 'What a segment can test: fields with their type, operators and values (for the segment builder)',
    handler: async ({ user }) => {
      const contacts = seesContacts(user);
      const emptyOnly = ['is_empty', 'is_not_empty'];
      const fields = Object.entries(SEGMENT_FIELDS).map(([field, spec]) => ({
        field,
        type: spec.type,
        ops: !contacts && customerFields.get(field)?.mask ? emptyOnly : OPS_BY_TYPE[spec.type],
        values: spec.values ?? null,
      }));
      const defs = await db().select().from(schema.customFieldDefinitions).orderBy(asc(schema.customFieldDefinitions.key));
      const typeOf = { number: 'number', boolean: 'boolean', date: 'date', select: 'enum', text: 'text' } as const;
      const custom = defs.map((d) => ({
        field: `customFields.${d.key}`,
        label: d.label,
        type: typeOf[d.type],
        ops: OPS_BY_TYPE[typeOf[d.type]],
        values: d.options ?? null,
      }));
      return {
        fields: [...fields, ...custom],
        daysSinceFields: DATE_FIELDS,
        compareOps: COMPARE_OPS,
        interactionKinds: schema.INTERACTION_KINDS,
        conditionTypes: ['and', 'or', 'not', 'field', 'has_tag', 'lacks_tag', 'in_segment', 'days_since', 'spend', 'activity'],
      };
    },
  });

  route({
    method: 'get',
    path: '/',
    summary: 'Saved segments',
    response: SegmentListOut,
    handler: async () => ({ items: (await db().select().from(schema.segments).orderBy(asc(schema.segments.name))).map(present) }),
  });

  route({
    method: 'post',
    path: '/',
    summary: 'Save a segment',
    action: 'segment.save',
    body: SegmentIn,
    response: SegmentOut,
    status: 201,
    handler: async ({ body, user }) => {
      const tree = parseSegmentTree(body.definition, 'body.definition');
      await compileSegment(ctx.db, tree, { path: 'body.definition', restrictContacts: !seesContacts(user) });
      const [s] = await db()
        .insert(schema.segments)
        .values({ name: body.name, description: body.description ?? null, definition: tree, createdBy: user.id })
        .returning();
      await writeAudit(db(), user, { action: 'segment.create', entityType: 'segment', entityId: s!.id });
      return present(s!);
    },
  });

  route({
    method: 'get',
    path: '/:id',
    summary: 'One saved segment',
    params: IdParams,
    response: SegmentOut,
    handler: async ({ params }) => {
      const [s] = await db().select().from(schema.segments).where(eq(schema.segments.id, params.id));
      if (!s) throw notFound('Segment', params.id);
      return present(s);
    },
  });

  route({
    method: 'put',
    path: '/:id',
    summary: 'Replace a saved segment',
    action: 'segment.save',
    params: IdParams,
    body: SegmentIn,
    response: SegmentOut,
    handler: async ({ params, body, user }) => {
      const tree = parseSegmentTree(body.definition, 'body.definition');
      await compileSegment(ctx.db, tree, {
        path: 'body.definition',
        restrictContacts: !seesContacts(user),
        self: { id: params.id, name: body.name },
      });
      const [s] = await db()
        .update(schema.segments)
        .set({ name: body.name, description: body.description ?? null, definition: tree, updatedAt: nowOf(ctx) })
        .where(eq(schema.segments.id, params.id))
        .returning();
      if (!s) throw notFound('Segment', params.id);
      await writeAudit(db(), user, { action: 'segment.update', entityType: 'segment', entityId: s.id });
      return present(s);
    },
  });

  route({
    method: 'delete',
    path: '/:id',
    summary: 'Delete a saved segment',
    action: 'segment.delete',
    params: IdParams,
    status: 204,
    handler: async ({ params, user }) => {
      const r = await db().delete(schema.segments).where(eq(schema.segments.id, params.id)).returning({ id: schema.segments.id });
      if (!r.length) throw notFound('Segment', params.id);
      await writeAudit(db(), user, { action: 'segment.delete', entityType: 'segment', entityId: params.id });
    },
  });

  route({
    method: 'get',
    path: '/membership/:customerId',
    summary: 'The saved segments one customer belongs to now',
    params: z.object({ customerId: z.uuid() }),
    response: SegmentMembershipOut,
    handler: async ({ params, user }) => {
      await getVisibleCustomer(ctx, user, params.customerId);
      const saved = await db().select().from(schema.segments).orderBy(asc(schema.segments.name));
      const items: { id: string; name: string }[] = [];
      for (const s of saved) {
        try {
          if (await customerInSegment(ctx.db, s.id, params.customerId, nowOf(ctx))) items.push({ id: s.id, name: s.name });
        } catch (err) {
          if (!(err instanceof SegmentError)) throw err; // a saved segment broken by a deleted tag is skipped
        }
      }
      return { items };
    },
  });

  route({
    method: 'get',
    path: '/:id/count',
    summary: 'Live count of a saved segment (within the customers you may see)',
    params: IdParams,
    response: SegmentCountOut,
    handler: async ({ params, user }) => {
      const t0 = performance.now();
      const count = await countSegment(ctx.db, params.id, { now: nowOf(ctx), user });
      return { count, tookMs: Math.round(performance.now() - t0) };
    },
  });

  return router;
}
