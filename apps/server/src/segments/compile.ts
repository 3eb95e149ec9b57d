/**
 * Condition tree → ONE parameterised SQL boolean expression over the `customers` table
 * (drizzle's `sql` template: identifiers come from a fixed whitelist, every value is a parameter).
 * Tag names are resolved to ids and custom fields to their definitions up front, so unknown names
 * fail with a 400 naming the node's path before any query runs.
 */
import { inArray, sql, type SQL } from 'drizzle-orm';
import { customerFields, schema, type DbHandle, type FieldRegistry, type FieldType as RegistryFieldType } from '@nudge/db';
import { HttpError } from '../http/errors.js';
import { SegmentCondition } from './model.js';

export type FieldType = Exclude<RegistryFieldType, 'json'>;
interface FieldSpec {
  column: string;
  type: FieldType;
  values?: readonly string[];
}

/** The customer fields a segment may test (the registry's `segment` fields), with their SQL column and type. */
export function segmentFieldsOf(registry: FieldRegistry): Record<string, FieldSpec> {
  return Object.fromEntries(
    registry.segment.map((f) => [f.name, { column: f.column, type: f.type as FieldType, ...(f.values ? { values: f.values } : {}) }]),
  );
}
export const SEGMENT_FIELDS = segmentFieldsOf(customerFields);

export const OPS_BY_TYPE: Record<FieldType, readonly string[]> = {
  text: ['eq', 'neq', 'in', 'not_in', 'contains', 'starts_with', 'is_empty', 'is_not_empty'],
  enum: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  number: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  boolean: ['eq', 'neq', 'is_empty', 'is_not_empty'],
  datetime: ['eq', 'gt', 'gte', 'lt', 'lte', 'is_empty', 'is_not_empty'],
  date: ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'is_empty', 'is_not_empty'],
  uuid: ['eq', 'neq', 'in', 'not_in', 'is_empty', 'is_not_empty'],
  array: ['contains', 'is_empty', 'is_not_empty'],
};

/** Fields masked for users without the contact.unmask right. */
const CONTACT_FIELDS = new Set(customerFields.masked.map((f) => f.name));

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SegmentIssue {
  path: string;
  message: string;
  /** Machine code of what is wrong (e.g. unknown_tag), for clients that word it themselves. */
  code?: string;
  /** The value the issue is about (the tag's name for unknown_tag). */
  value?: string;
}

export class SegmentError extends HttpError {
  constructor(readonly issues: SegmentIssue[]) {
    super(400, 'invalid_segment', `Invalid segment — ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
}

interface CompileContext {
  now: Date;
  /** Saved segments referenced by in_segment (already validated trees), by id. */
  segments: Map<string, { name: string; tree: SegmentCondition }>;
  /** Segment ids being expanded (cycle detection). */
  expanding: string[];
  restrictContacts: boolean;
  tagIds: Map<string, string>; // lower(name) → id
  customFields: Map<string, (typeof schema.customFieldDefinitions.$inferSelect)>;
  issues: SegmentIssue[];
}

function collect(node: SegmentCondition, tags: Set<string>, segments: Set<string>) {
  if (node.type === 'and' || node.type === 'or') node.conditions.forEach((n) => collect(n, tags, segments));
  else if (node.type === 'not') collect(node.condition, tags, segments);
  else if (node.type === 'has_tag' || node.type === 'lacks_tag') tags.add(node.tag.toLowerCase());
  else if (node.type === 'in_segment') segments.add(node.segmentId);
}

const MAX_SEGMENT_DEPTH = 5;

const C = (column: string) => sql.raw(`"customers"."${column}"`);
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const cutoff = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);
const list = (values: unknown[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);
const cmpSql = { eq: sql`=`, gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=`, neq: sql`<>` } as const;

/** Checks a value against a field type; returns the SQL parameter or records an issue. */
function param(type: FieldType, value: unknown, path: string, cx: CompileContext, values?: readonly string[]): SQL | undefined {
  const bad = (expected: string) => {
    cx.issues.push({ path, message: `expected ${expected}, got ${JSON.stringify(value)}` });
    return undefined;
  };
  switch (type) {
    case 'text':
      return typeof value === 'string' ? sql`${value}` : bad('a string');
    case 'enum':
      return typeof value === 'string' && values!.includes(value) ? sql`${value}` : bad(`one of ${values!.join(', ')}`);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? sql`${value}` : bad('a number');
    case 'boolean':
      return typeof value === 'boolean' ? sql`${value}` : bad('true or false');
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? ts(new Date(value)) : bad('an ISO date-time');
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? sql`${value}::date` : bad('a date YYYY-MM-DD');
    case 'uuid':
      return typeof value === 'string' && UUID_RE.test(value) ? sql`${value}::uuid` : bad('a uuid');
    case 'array':
      return typeof value === 'string' ? sql`${value}` : bad('a string');
  }
}

function compileField(node: Extract<SegmentCondition, { type: 'field' }>, path: string, cx: CompileContext): SQL | undefined {
  let expr: SQL;
  let type: FieldType;
  let values: readonly string[] | undefined;
  let jsonKey: string | undefined;
  if (node.field.startsWith('customFields.')) {
    const key = node.field.slice('customFields.'.length);
    const def = cx.customFields.get(key);
    if (!def) {
      cx.issues.push({ path: `${path}.field`, message: `unknown custom field "${key}"` });
      return undefined;
    }
    jsonKey = key;
    const raw = sql`("customers"."custom_fields" ->> ${key})`;
    switch (def.type) {
      case 'number':
        type = 'number';
        expr = sql`(case when jsonb_typeof("customers"."custom_fields" -> ${key}) = 'number' then ${raw}::numeric end)`;
        break;
      case 'boolean':
        type = 'boolean';
        expr = sql`(case when jsonb_typeof("customers"."custom_fields" -> ${key}) = 'boolean' then ${raw}::boolean end)`;
        break;
      case 'date':
        type = 'date';
        expr = sql`(${raw})::date`;
        break;
      case 'select':
        type = 'enum';
        values = def.options ?? [];
        expr = raw;
        break;
      default:
        type = 'text';
        expr = raw;
    }
  } else {
    const spec = SEGMENT_FIELDS[node.field];
    if (!spec) {
      cx.issues.push({
        path: `${path}.field`,
        message: `unknown field "${node.field}"; use one of ${Object.keys(SEGMENT_FIELDS).join(', ')} or customFields.<key>`,
      });
      return undefined;
    }
    type = spec.type;
    values = spec.values;
    expr = C(spec.column);
    if (cx.restrictContacts && CONTACT_FIELDS.has(node.field) && node.op !== 'is_empty' && node.op !== 'is_not_empty') {
      cx.issues.push({
        path: `${path}.op`,
        message: `you see ${node.field} masked, so a segment may only test whether it is empty (is_empty / is_not_empty)`,
      });
      return undefined;
    }
  }
  if (!OPS_BY_TYPE[type].includes(node.op)) {
    cx.issues.push({ path: `${path}.op`, message: `"${node.op}" does not apply to ${node.field} (${type}); use one of ${OPS_BY_TYPE[type].join(', ')}` });
    return undefined;
  }
  const op = node.op;
  if (op === 'is_empty' || op === 'is_not_empty') {
    const empty =
      type === 'array' ? sql`cardinality(${expr}) = 0` : type === 'text' ? sql`(${expr} is null or ${expr} = '')` : sql`${expr} is null`;
    return op === 'is_empty' ? sql`(${empty})` : sql`not (${empty})`;
  }
  if (node.value === undefined) {
    cx.issues.push({ path: `${path}.value`, message: `"${op}" needs a value` });
    return undefined;
  }
  if (op === 'in' || op === 'not_in') {
    if (!Array.isArray(node.value)) {
      cx.issues.push({ path: `${path}.value`, message: `"${op}" needs a list of values` });
      return undefined;
    }
    const params = node.value.map((v, i) => param(type, v, `${path}.value.${i}`, cx, values));
    if (params.some((p) => !p)) return undefined;
    const inList = sql`${expr} in (${sql.join(params as SQL[], sql`, `)})`;
    return op === 'in' ? inList : sql`(${expr} is null or not (${inList}))`;
  }
  if (Array.isArray(node.value)) {
    cx.issues.push({ path: `${path}.value`, message: `"${op}" needs a single value, not a list` });
    return undefined;
  }
  const p = param(type, node.value, `${path}.value`, cx, values);
  if (!p) return undefined;
  if (type === 'array') return sql`${p} = any(${expr})`;
  if (op === 'contains') return sql`${expr} ilike ${`%${String(node.value).replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`;
  if (op === 'starts_with') return sql`${expr} ilike ${`${String(node.value).replace(/[\\%_]/g, (m) => `\\${m}`)}%`}`;
  if (op === 'neq') return sql`${expr} is distinct from ${p}`;
  // equality on a custom field can use the GIN index on custom_fields
  if (op === 'eq' && jsonKey && (type === 'text' || type === 'enum' || type === 'boolean' || type === 'number')) {
    return sql`"customers"."custom_fields" @> ${JSON.stringify({ [jsonKey]: node.value })}::jsonb`;
  }
  return sql`${expr} ${cmpSql[op as keyof typeof cmpSql]} ${p}`;
}

function compileNode(node: SegmentCondition, path: string, cx: CompileContext): SQL | undefined {
  switch (node.type) {
    case 'and':
    case 'or': {
      const parts = node.conditions.map((n, i) => compileNode(n, `${path}.conditions.${i}`, cx));
      if (parts.some((p) => !p)) return undefined;
      return sql`(${sql.join(parts as SQL[], node.type === 'and' ? sql` and ` : sql` or `)})`;
    }
    case 'not': {
      const inner = compileNode(node.condition, `${path}.condition`, cx);
      return inner && sql`not (${inner})`;
    }
    case 'field':
      return compileField(node, path, cx);
    case 'in_segment': {
      const saved = cx.segments.get(node.segmentId);
      if (!saved) {
        cx.issues.push({ path: `${path}.segmentId`, message: `no saved segment ${node.segmentId}` });
        return undefined;
      }
      if (cx.expanding.includes(node.segmentId)) {
        cx.issues.push({ path: `${path}.segmentId`, message: `segment "${saved.name}" refers to itself (through ${cx.expanding.length} level(s))` });
        return undefined;
      }
      if (cx.expanding.length >= MAX_SEGMENT_DEPTH) {
        cx.issues.push({ path: `${path}.segmentId`, message: `segments nest more than ${MAX_SEGMENT_DEPTH} levels deep` });
        return undefined;
      }
      cx.expanding.push(node.segmentId);
      const inner = compileNode(saved.tree, `${path}(segment "${saved.name}")`, cx);
      cx.expanding.pop();
      return inner && sql`(${inner})`;
    }
    case 'has_tag':
    case 'lacks_tag': {
      const id = cx.tagIds.get(node.tag.toLowerCase());
      if (!id) {
        cx.issues.push({ path: `${path}.tag`, code: 'unknown_tag', value: node.tag, message: `there is no tag "${node.tag}"; choose an existing tag` });
        return undefined;
      }
      const exists = sql`exists (select 1 from customer_tags ct where ct.customer_id = "customers"."id" and ct.tag_id = ${id}::uuid and (ct.expires_at is null or ct.expires_at > ${ts(cx.now)}))`;
      return node.type === 'has_tag' ? exists : sql`not ${exists}`;
    }
    case 'days_since': {
      // "more than N days since X" ⇔ X < now − N days
      const col = C(SEGMENT_FIELDS[node.field]!.column);
      const at = ts(cutoff(cx.now, node.days));
      const flipped = { eq: sql`=`, gt: sql`<`, gte: sql`<=`, lt: sql`>`, lte: sql`>=` }[node.op];
      const cond =
        node.op === 'eq'
          ? sql`(${col} <= ${at} and ${col} > ${ts(cutoff(cx.now, node.days + 1))})`
          : sql`${col} ${flipped} ${at}`;
      const includeNever = node.includeNever ?? (node.op === 'gt' || node.op === 'gte');
      return includeNever ? sql`(${col} is null or ${cond})` : cond;
    }
    case 'spend': {
      const amount =
        node.withinDays === undefined
          ? C('total_spend')
          : sql`coalesce((select sum((i.payload ->> 'amount')::numeric) from interactions i where i.customer_id = "customers"."id" and i.kind = 'order' and i.occurred_at >= ${ts(cutoff(cx.now, node.withinDays))}), 0)`;
      return sql`${amount} ${cmpSql[node.op]} ${node.amount}`;
    }
    case 'activity': {
      const channel = node.channel ? sql` and i.channel = ${node.channel}` : sql``;
      const exists = sql`exists (select 1 from interactions i where i.customer_id = "customers"."id" and i.kind in (${list(node.kinds)})${channel} and i.occurred_at >= ${ts(cutoff(cx.now, node.withinDays))})`;
      return node.present ? exists : sql`not ${exists}`;
    }
  }
}

export interface CompiledSegment {
  /** A boolean SQL expression over the `customers` table (archived customers excluded). */
  where: SQL;
}

/**
 * Compiles a (zod-valid) tree. `path` prefixes the issue paths (e.g. `body.definition`).
 * Throws SegmentError (HTTP 400, code invalid_segment) listing every problem.
 */
export async function compileSegment(
  db: DbHandle,
  tree: SegmentCondition,
  options: {
    now?: Date;
    path?: string;
    restrictContacts?: boolean;
    /** When saving segment `id` with this tree: references to it use the new tree (finds cycles). */
    self?: { id: string; name: string };
  } = {},
): Promise<CompiledSegment> {
  const names = new Set<string>();
  const segmentIds = new Set<string>();
  collect(tree, names, segmentIds);
  // Load referenced saved segments (and the ones they reference), breadth first.
  const segments = new Map<string, { name: string; tree: SegmentCondition }>();
  if (options.self) segments.set(options.self.id, { name: options.self.name, tree });
  const preIssues: SegmentIssue[] = [];
  for (let depth = 0, pending = [...segmentIds].filter((id) => !segments.has(id)); pending.length && depth <= MAX_SEGMENT_DEPTH; depth++) {
    const rows = await db.db.select().from(schema.segments).where(inArray(schema.segments.id, pending));
    pending = [];
    for (const row of rows) {
      if (segments.has(row.id)) continue;
      const parsed = SegmentCondition.safeParse(row.definition);
      if (!parsed.success) {
        preIssues.push({ path: `segment ${row.name}`, message: 'the saved definition is no longer valid; edit and save it again' });
        continue;
      }
      segments.set(row.id, { name: row.name, tree: parsed.data });
      const more = new Set<string>();
      collect(parsed.data, names, more);
      for (const id of more) if (!segments.has(id)) pending.push(id);
    }
  }
  const tagIds = new Map<string, string>();
  if (names.size) {
    const rows = await db.db
      .select({ id: schema.tags.id, name: schema.tags.name })
      .from(schema.tags)
      .where(sql`lower(${schema.tags.name}) in (${list([...names])})`);
    for (const r of rows) tagIds.set(r.name.toLowerCase(), r.id);
  }
  const defs = await db.db.select().from(schema.customFieldDefinitions);
  const cx: CompileContext = {
    now: options.now ?? new Date(),
    restrictContacts: options.restrictContacts ?? false,
    tagIds,
    segments,
    expanding: options.self ? [options.self.id] : [],
    customFields: new Map(defs.map((d) => [d.key, d])),
    issues: preIssues,
  };
  const cond = compileNode(tree, options.path ?? 'definition', cx);
  if (cx.issues.length || !cond) throw new SegmentError(cx.issues);
  return { where: sql`("customers"."archived_at" is null and ${cond})` };
}
