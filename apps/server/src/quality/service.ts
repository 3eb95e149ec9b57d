/**
 * The data-quality report (SPEC A): required-field completeness against the 95 % target,
 * follow-ups overdue by more than 7 days, stale records proposed for archiving, and duplicate
 * candidates among existing customers (the CSV import's matcher: normalised phone, lower-cased
 * email, fuzzy name + company across Traditional/Simplified script, case and punctuation).
 */
import { and, asc, desc, isNull, sql, type SQL } from 'drizzle-orm';
import { DuplicateIndex, matchReasonText, type MatchReason } from '@nudge/customer-import';
import { schema, type DbHandle } from '@nudge/db';
import { maskEmail, maskPhone } from '../customers/access.js';

const c = schema.customers;

export const COMPLETENESS_TARGET = 0.95;
export const OVERDUE_DAYS = 7;
export const STALE_DAYS = 180;
/** Win probability (%) under which a stale record is proposed for archiving. */
export const STALE_WIN_PROBABILITY = 20;

/** Required fields and how "filled" is decided for each. */
const REQUIRED: { field: string; filled: SQL }[] = [
  { field: 'fullName', filled: sql`coalesce(btrim(${c.fullName}), '') <> ''` },
  { field: 'contact', filled: sql`(${c.phone} is not null or ${c.email} is not null or ${c.whatsappId} is not null)` },
  { field: 'company', filled: sql`coalesce(btrim(${c.company}), '') <> ''` },
  { field: 'industry', filled: sql`${c.industry} is not null` },
  { field: 'tier', filled: sql`${c.tier} is not null` },
  { field: 'ownerId', filled: sql`${c.ownerId} is not null` },
  { field: 'firstContactAt', filled: sql`${c.firstContactAt} is not null` },
];

export interface QualityOptions {
  now: Date;
  /** Extra WHERE (e.g. an agent's scope). */
  scope?: SQL;
  /** Max rows listed per section. */
  limit?: number;
  /** Mask phones and emails quoted in duplicate reasons (users without the unmask right). */
  maskContacts?: boolean;
  /** How many of the most recently created customers the duplicate finder compares (default 20,000). */
  duplicateScan?: number;
}

export const DEFAULT_DUPLICATE_SCAN = 20_000;

const status = (share: number) => (share >= COMPLETENESS_TARGET ? 'green' : share >= 0.85 ? 'amber' : 'red');

export async function qualityReport(db: DbHandle, opts: QualityOptions) {
  const limit = opts.limit ?? 100;
  const active = and(isNull(c.archivedAt), opts.scope);
  const d = db.db;

  const cols = Object.fromEntries(REQUIRED.map((r) => [r.field, sql<number>`count(*) filter (where ${r.filled})::int`]));
  const allFilled = sql.join(REQUIRED.map((r) => r.filled), sql` and `);
  const [counts] = await d
    .select({ total: sql<number>`count(*)::int`, complete: sql<number>`count(*) filter (where ${allFilled})::int`, ...cols })
    .from(c)
    .where(active);
  const total = Number(counts!.total);
  const share = (n: number) => (total ? n / total : 1);
  const fields = REQUIRED.map((r) => {
    const filled = Number((counts as Record<string, number>)[r.field]);
    return { field: r.field, filled, share: share(filled), status: status(share(filled)) };
  });
  const completeShare = share(Number(counts!.complete));

  const overdueBefore = new Date(opts.now.getTime() - OVERDUE_DAYS * 86_400_000).toISOString();
  const followUpBase = sql`coalesce(${c.lastFollowUpAt}, ${c.firstContactAt}, ${c.createdAt})`;
  const overdueWhere = and(active, sql`${followUpBase} < ${overdueBefore}::timestamptz`);
  const [overdueCount] = await d.select({ n: sql<number>`count(*)::int` }).from(c).where(overdueWhere);
  const overdue = await d
    .select({ id: c.id, fullName: c.fullName, ownerId: c.ownerId, lastFollowUpAt: c.lastFollowUpAt, since: sql<string>`${followUpBase}` })
    .from(c)
    .where(overdueWhere)
    .orderBy(asc(followUpBase), asc(c.id))
    .limit(limit);

  const staleBefore = new Date(opts.now.getTime() - STALE_DAYS * 86_400_000).toISOString();
  const staleWhere = and(
    active,
    sql`coalesce(${c.lastInteractionAt}, ${c.createdAt}) < ${staleBefore}::timestamptz`,
    sql`coalesce(${c.winProbability}, 0) < ${STALE_WIN_PROBABILITY}`,
  );
  const [staleCount] = await d.select({ n: sql<number>`count(*)::int` }).from(c).where(staleWhere);
  const stale = await d
    .select({ id: c.id, fullName: c.fullName, ownerId: c.ownerId, lastInteractionAt: c.lastInteractionAt, winProbability: c.winProbability })
    .from(c)
    .where(staleWhere)
    .orderBy(asc(sql`coalesce(${c.lastInteractionAt}, ${c.createdAt})`), asc(c.id))
    .limit(limit);

  const duplicates = await findDuplicates(db, { scope: opts.scope, limit, maskContacts: opts.maskContacts, maxScan: opts.duplicateScan });

  const daysSince = (x: Date | string | null) => (x ? Math.floor((opts.now.getTime() - new Date(x).getTime()) / 86_400_000) : null);
  return {
    generatedAt: opts.now.toISOString(),
    totalCustomers: total,
    completeness: { target: COMPLETENESS_TARGET, completeShare, status: status(completeShare), fields },
    overdueFollowUps: {
      days: OVERDUE_DAYS,
      count: Number(overdueCount!.n),
      items: overdue.map((o) => ({ id: o.id, fullName: o.fullName, ownerId: o.ownerId, lastFollowUpAt: o.lastFollowUpAt?.toISOString() ?? null, daysOverdue: daysSince(o.since)! - OVERDUE_DAYS })),
    },
    staleRecords: {
      days: STALE_DAYS,
      winProbabilityBelow: STALE_WIN_PROBABILITY,
      count: Number(staleCount!.n),
      items: stale.map((s) => ({ ...s, lastInteractionAt: s.lastInteractionAt?.toISOString() ?? null, proposal: 'archive' as const })),
    },
    duplicates,
  };
}

/**
 * Duplicate candidates among non-archived customers: each customer is compared with those seen
 * before it through the matcher's blocking index (phone, email, name keys), so this is roughly
 * linear in the number of customers — about 40 µs and 2 kB each. To keep a report request
 * bounded, only the `maxScan` most recently created customers are compared (new records are where
 * duplicates appear; the CSV import already checks every row against the whole base); `scanned`
 * and `complete` say how much was covered.
 */
export async function findDuplicates(
  db: DbHandle,
  opts: { scope?: SQL; limit?: number; maskContacts?: boolean; maxScan?: number } = {},
) {
  const maxScan = opts.maxScan ?? DEFAULT_DUPLICATE_SCAN;
  const where = and(isNull(c.archivedAt), opts.scope);
  const recent = await db.db
    .select({ id: c.id, fullName: c.fullName, company: c.company, phone: c.phone, email: c.email, createdAt: c.createdAt })
    .from(c)
    .where(where)
    .orderBy(desc(c.createdAt), desc(c.id))
    .limit(maxScan + 1);
  const complete = recent.length <= maxScan;
  const rows = recent.slice(0, maxScan).reverse();
  const index = new DuplicateIndex<{ id: string; fullName: string }>();
  const pairs: { a: { id: string; fullName: string }; b: { id: string; fullName: string }; score: number; reasons: string[]; reasonCodes: MatchReason[] }[] = [];
  for (const r of rows) {
    const identity = { name: r.fullName, company: r.company ?? undefined, phone: r.phone ?? undefined, email: r.email ?? undefined };
    const match = index.findBest(identity);
    if (match) {
      // masked in the codes' params too (a shared line or e-mail as well as a personal one)
      const reasonCodes = opts.maskContacts
        ? match.reasonCodes.map((x) => ({
            ...x,
            ...(x.params ? { params: { ...x.params, ...(x.params.phone ? { phone: maskPhone(x.params.phone) ?? '' } : {}), ...(x.params.email ? { email: maskEmail(x.params.email) ?? '' } : {}) } } : {}),
          }))
        : match.reasonCodes;
      pairs.push({ a: match.ref, b: { id: r.id, fullName: r.fullName }, score: Math.round(match.score * 1000) / 1000, reasons: reasonCodes.map(matchReasonText), reasonCodes });
    }
    index.add(identity, { id: r.id, fullName: r.fullName });
  }
  pairs.sort((x, y) => y.score - x.score);
  return { count: pairs.length, scanned: rows.length, complete, items: pairs.slice(0, opts.limit ?? 100) };
}
