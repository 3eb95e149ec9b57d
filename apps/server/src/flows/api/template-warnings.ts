/**
 * Warnings (not problems: they do not block publishing) for template variables that are often
 * empty for the customers a flow targets: `{company}` without a fallback, empty for more than
 * 20 % of the trigger's segment, renders "help with at ?". One COUNT … FILTER query over the
 * targeted customers (the triggers' segments, or every customer when no trigger names one).
 */
import { and, isNull, or, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { oftenEmptyVariableWarnings, targetedSegmentIds, templateUsesWithoutFallback } from '@nudge/workflow-nodes';
import type { AppContext } from '../../context.js';
import { segmentWhere } from '../../segments/index.js';

const c = schema.customers;
const blank = (col: SQL | AnyColumn) => sql`coalesce(btrim(${col}::text), '') = ''`;

/** When is a template variable empty for a customer (undefined: not knowable ahead, e.g. event.*). */
function emptyWhen(variable: string): SQL | undefined {
  switch (variable) {
    case 'name': return blank(c.fullName);
    case 'company': return blank(c.company);
    case 'email': return blank(c.email);
    case 'phone': return blank(c.phone);
    case 'tier': return blank(sql`${c.tier}`);
    case 'owner': return sql`${c.ownerId} is null`;
    case 'last_product': return sql`coalesce(cardinality(${c.productsOfInterest}), 0) = 0`;
    default:
      if (variable.startsWith('custom.')) return blank(sql`${c.customFields}->>${variable.slice('custom.'.length)}`);
      return undefined;
  }
}

export interface FlowWarning {
  nodeId: string;
  field: string;
  code: string;
  message: string;
  variable: string;
  emptyShare: number;
}

export async function oftenEmptyWarnings(ctx: AppContext, graph: unknown, threshold = 0.2): Promise<FlowWarning[]> {
  const uses = templateUsesWithoutFallback(graph).filter((u) => emptyWhen(u.variable));
  const variables = [...new Set(uses.map((u) => u.variable))];
  if (variables.length === 0) return [];
  const scopes: SQL[] = [];
  for (const id of targetedSegmentIds(graph)) {
    try {
      scopes.push(await segmentWhere(ctx.db, id));
    } catch {
      // an unknown or broken segment is reported by the validator itself
    }
  }
  if (targetedSegmentIds(graph).length > 0 && scopes.length === 0) return [];
  const columns: Record<string, SQL<number>> = { total: sql<number>`count(*)::int` };
  variables.forEach((v, i) => {
    columns[`e${i}`] = sql<number>`(count(*) filter (where ${emptyWhen(v)!}))::int`;
  });
  const [row] = await ctx.db.db
    .select(columns)
    .from(c)
    .where(and(isNull(c.archivedAt), scopes.length ? or(...scopes) : undefined));
  const total = Number(row?.total ?? 0);
  const shares = new Map(variables.map((v, i) => [v, { empty: Number((row as Record<string, unknown>)[`e${i}`] ?? 0), total }]));
  return oftenEmptyVariableWarnings(uses, (v) => shares.get(v), threshold);
}
