/**
 * Search attributes as a real Temporal server treats them: only registered names (system ones, or
 * custom ones added through the OperatorService) may be set; each value must fit its type; what
 * the server answers carries the type in the payload's `type` metadata (so the SDK's
 * `typedSearchAttributes` sees it, however the attribute was set).
 */
import type { Obj } from './execution.js';

/** IndexedValueType: TEXT 1, KEYWORD 2, INT 3, DOUBLE 4, BOOL 5, DATETIME 6, KEYWORD_LIST 7 */
export const SYSTEM_SEARCH_ATTRIBUTES: Record<string, number> = {
  WorkflowId: 2, WorkflowType: 2, RunId: 2, ExecutionStatus: 2, TaskQueue: 2, StartTime: 6, CloseTime: 6,
  ExecutionTime: 6, ExecutionDuration: 3, HistoryLength: 3, HistorySizeBytes: 3, StateTransitionCount: 3,
  ParentWorkflowId: 2, ParentRunId: 2, RootWorkflowId: 2, RootRunId: 2, BuildIds: 7, BinaryChecksums: 7,
  BatcherNamespace: 2, BatcherUser: 2, TemporalChangeVersion: 7, TemporalScheduledById: 2,
  TemporalScheduledStartTime: 6, TemporalSchedulePaused: 5, TemporalNamespaceDivision: 2,
};

/** The system attributes a workflow may set itself (the rest are the server's). */
const SETTABLE_SYSTEM = new Set(['TemporalChangeVersion', 'BinaryChecksums', 'BuildIds', 'BatcherNamespace', 'BatcherUser', 'TemporalScheduledById', 'TemporalScheduledStartTime', 'TemporalSchedulePaused', 'TemporalNamespaceDivision']);

const TYPE_NAMES: Record<number, string> = { 1: 'Text', 2: 'Keyword', 3: 'Int', 4: 'Double', 5: 'Bool', 6: 'Datetime', 7: 'KeywordList' };

export function searchAttributeType(name: string, custom: Record<string, number>): number | undefined {
  return custom[name] ?? SYSTEM_SEARCH_ATTRIBUTES[name];
}

function decode(p: Obj | undefined): { ok: boolean; value?: unknown } {
  if (!p?.data || !p.data.length) return { ok: true, value: null }; // an empty payload removes the attribute
  try {
    return { ok: true, value: JSON.parse(Buffer.from(p.data).toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function fits(type: number, v: unknown): boolean {
  if (v === null) return true;
  const one = (x: unknown): boolean => {
    switch (type) {
      case 1: case 2: return typeof x === 'string';
      case 3: return typeof x === 'number' && Number.isInteger(x);
      case 4: return typeof x === 'number';
      case 5: return typeof x === 'boolean';
      case 6: return typeof x === 'string' && !Number.isNaN(Date.parse(x));
      case 7: return typeof x === 'string';
      default: return false;
    }
  };
  // the untyped API sends every value as an array; a single-valued type takes one element
  if (Array.isArray(v)) return (type === 7 || v.length <= 1) && v.every(one);
  return one(v);
}

/**
 * Why these attributes would be refused (the real server's wording), or undefined when they are
 * fine. `fromWorkflow`: set by a workflow (upsert, child, continue-as-new) rather than a client.
 */
export function searchAttributesError(sa: Obj | null | undefined, custom: Record<string, number>, namespace: string): string | undefined {
  const fields: Record<string, Obj> = sa?.indexedFields ?? {};
  for (const [name, payload] of Object.entries(fields)) {
    const type = searchAttributeType(name, custom);
    if (type === undefined) return `Namespace ${namespace} has no mapping defined for search attribute ${name}`;
    if (SYSTEM_SEARCH_ATTRIBUTES[name] !== undefined && !custom[name] && !SETTABLE_SYSTEM.has(name)) {
      return `${name} attribute can't be set in SearchAttributes`;
    }
    const { ok, value } = decode(payload);
    if (!ok || !fits(type, value)) return `invalid value for search attribute ${name} of type ${TYPE_NAMES[type]}: ${payload?.data ? Buffer.from(payload.data).toString('utf8') : ''}`;
  }
  return undefined;
}

/** The attributes with each payload's `type` metadata set from the registry, as the server answers them. */
export function typedSearchAttributes(sa: Obj | null | undefined, custom: Record<string, number>): Obj | undefined {
  if (!sa?.indexedFields) return sa ?? undefined;
  const indexedFields: Record<string, Obj> = {};
  for (const [name, p] of Object.entries<Obj>(sa.indexedFields)) {
    const type = searchAttributeType(name, custom);
    indexedFields[name] = type === undefined || !p ? p : { ...p, metadata: { ...(p.metadata ?? {}), type: Buffer.from(TYPE_NAMES[type]!) } };
  }
  return { indexedFields };
}
