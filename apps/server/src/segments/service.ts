import { and, asc, count, eq, gt, sql, type SQL } from 'drizzle-orm';
import { schema, type DbHandle } from '@nudge/db';
import type { AuthUser } from '../http/auth.js';
import { notFound, zodIssues } from '../http/errors.js';
import { seesContacts, visibleTo } from '../customers/access.js';
import { compileSegment, SegmentError } from './compile.js';
import { SegmentCondition } from './model.js';

/** A saved segment's id, or a condition tree (validated here). */
export type SegmentRef = string | SegmentCondition | unknown;

export interface SegmentQueryOptions {
  now?: Date;
  /** Restrict to the customers this user may see (agents: own and team). */
  user?: AuthUser;
  /** Prefix for error paths (e.g. `body.definition`). */
  path?: string;
}

/** Parses a tree with zod, reporting paths under `path`. */
export function parseSegmentTree(tree: unknown, path = 'definition'): SegmentCondition {
  const r = SegmentCondition.safeParse(tree);
  if (!r.success) throw new SegmentError(zodIssues(r.error, path));
  return r.data;
}

export async function loadSegmentTree(db: DbHandle, ref: SegmentRef, path?: string): Promise<SegmentCondition> {
  if (typeof ref === 'string') {
    const [row] = await db.db.select().from(schema.segments).where(eq(schema.segments.id, ref));
    if (!row) throw notFound('Segment', ref);
    return parseSegmentTree(row.definition, `segment ${row.name}`);
  }
  return parseSegmentTree(ref, path);
}

/** The WHERE expression (over `customers`) selecting a segment's members for this caller. */
export async function segmentWhere(db: DbHandle, ref: SegmentRef, opts: SegmentQueryOptions = {}): Promise<SQL> {
  const tree = await loadSegmentTree(db, ref, opts.path);
  // Users who see contacts masked may not probe their values through segment conditions.
  const restrictContacts = opts.user ? !seesContacts(opts.user) : false;
  const { where } = await compileSegment(db, tree, { now: opts.now, path: opts.path, restrictContacts });
  const scope = opts.user ? visibleTo(opts.user) : undefined;
  return scope ? and(where, scope)! : where;
}

/** Live count of a segment. */
export async function countSegment(db: DbHandle, ref: SegmentRef, opts: SegmentQueryOptions = {}): Promise<number> {
  const where = await segmentWhere(db, ref, opts);
  const [row] = await db.db.select({ n: count() }).from(schema.customers).where(where);
  return row!.n;
}

/** Is this customer in the segment (id of a saved segment, or a tree)? For the flow engine. */
export async function customerInSegment(db: DbHandle, ref: SegmentRef, customerId: string, now?: Date): Promise<boolean> {
  const where = await segmentWhere(db, ref, { now });
  const rows = await db.db
    .select({ one: sql<number>`1` })
    .from(schema.customers)
    .where(and(eq(schema.customers.id, customerId), where))
    .limit(1);
  return rows.length > 0;
}

/**
 * Members in id order, a page at a time (keyset paging), for sweeps that enroll segment matches
 * in batches: pass the last id of a page as `after` to get the next.
 */
export async function segmentMemberIds(
  db: DbHandle,
  ref: SegmentRef,
  opts: SegmentQueryOptions & { after?: string; limit?: number } = {},
): Promise<string[]> {
  const where = await segmentWhere(db, ref, opts);
  const rows = await db.db
    .select({ id: schema.customers.id })
    .from(schema.customers)
    .where(opts.after ? and(where, gt(schema.customers.id, opts.after)) : where)
    .orderBy(asc(schema.customers.id))
    .limit(opts.limit ?? 1000);
  return rows.map((r) => r.id);
}

/** The SQL text and parameters of a segment's live count (for EXPLAIN in benchmarks and debugging). */
export async function segmentCountSql(db: DbHandle, ref: SegmentRef, opts: SegmentQueryOptions = {}) {
  const where = await segmentWhere(db, ref, opts);
  const q = db.db.select({ n: count() }).from(schema.customers).where(where).toSQL();
  return { text: q.sql, params: q.params };
}
