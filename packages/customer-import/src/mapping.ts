/** Column mapping: suggested from the headers, overridable by the user, validated before import. */
import { z } from 'zod';
import { CsvImportError } from './errors.js';
import { customerFields, type FieldRegistry } from '@nudge/db/fields';
import { importTargets, LEGACY_TARGETS, type ImportField } from './fields.js';
import { foldText } from './normalise.js';

export type MappingTarget = ImportField | `custom:${string}` | 'ignore';
/** header text → target */
export type ColumnMapping = Record<string, MappingTarget>;

/** A mapping target: a field of `fields` (earlier names accepted), `ignore` or `custom:<key>`. */
export function mappingTargetSchemaFor(fields: FieldRegistry = customerFields): z.ZodType<MappingTarget> {
  const names = importTargets(fields).map((t) => t.name) as [string, ...string[]];
  return z.union([
    z.enum(names),
    z.literal('ignore'),
    z.string().regex(/^custom:.+$/, 'a custom field target looks like "custom:<key>"'),
  ]) as z.ZodType<MappingTarget>;
}
const legacy = (v: unknown) => (typeof v === 'string' && v in LEGACY_TARGETS ? LEGACY_TARGETS[v] : v);
export const columnMappingSchemaFor = (fields: FieldRegistry = customerFields) =>
  z.record(z.string(), z.preprocess(legacy, mappingTargetSchemaFor(fields)));
export const mappingTargetSchema = mappingTargetSchemaFor();
export const columnMappingSchema = columnMappingSchemaFor();

export interface MappingSuggestion {
  header: string;
  target: MappingTarget;
  /**
   * exact: the header is a known synonym; partial: it contains synonyms of one field only; none:
   * kept as a custom field (no synonym, or synonyms of several fields).
   */
  match: 'exact' | 'partial' | 'none';
}

const compact = (s: string) => foldText(s).replace(/\s+/g, '');
const synonymsOf = (fields: FieldRegistry): { field: ImportField; key: string }[] =>
  importTargets(fields).flatMap((t) => t.aliases.map((s) => ({ field: t.name, key: compact(s) })));
const DEFAULT_SYNONYMS = synonymsOf(customerFields);

export function customKeyFor(header: string): `custom:${string}` {
  return `custom:${header.trim()}`;
}

export function suggestMapping(
  headers: readonly string[],
  fields: FieldRegistry = customerFields,
): { mapping: ColumnMapping; suggestions: MappingSuggestion[] } {
  const SYNONYMS = fields === customerFields ? DEFAULT_SYNONYMS : synonymsOf(fields);
  const taken = new Set<ImportField>();
  const result = new Map<number, MappingSuggestion>();
  const keys = headers.map(compact);
  // Exact synonyms first, so that "Phone" wins over "WhatsApp phone" for the phone field.
  keys.forEach((key, i) => {
    const hit = SYNONYMS.find((s) => s.key === key && !taken.has(s.field));
    if (hit) {
      taken.add(hit.field);
      result.set(i, { header: headers[i]!, target: hit.field, match: 'exact' });
    }
  });
  keys.forEach((key, i) => {
    if (result.has(i) || key.length === 0) return;
    // Longest synonym contained in the header ("客戶姓名（必填）" → name) — unless the header also
    // names another field outside that synonym ("Contact owner" holds "contact", a name word, and
    // "owner"; "Customer email" holds "customer" and "email"): such a header is ambiguous, and a
    // guess by length would put the owner's column into the customer's name. It stays a custom
    // field for the user to map.
    // Fields already taken count too: "Customer owner" after "Contact owner" took the owner is
    // still not a name.
    const hits = SYNONYMS.filter((s) => s.key.length >= 2 && key.includes(s.key)).sort((a, b) => b.key.length - a.key.length);
    const hit = hits[0];
    const ambiguous = hit && hits.some((h) => h.field !== hit.field && !hit.key.includes(h.key));
    if (hit && !ambiguous && !taken.has(hit.field)) {
      taken.add(hit.field);
      result.set(i, { header: headers[i]!, target: hit.field, match: 'partial' });
    }
  });
  const suggestions = headers.map(
    (header, i) => result.get(i) ?? { header, target: customKeyFor(header), match: 'none' as const },
  );
  return { mapping: Object.fromEntries(suggestions.map((s) => [s.header, s.target])), suggestions };
}

/**
 * Applies the user's overrides on top of the suggestion and checks the result: every header
 * mapped exists, each field is used at most once, the name is mapped, headers are unique.
 */
export function resolveMapping(headers: readonly string[], override: ColumnMapping = {}, fields: FieldRegistry = customerFields): ColumnMapping {
  const parsed = (fields === customerFields ? columnMappingSchema : columnMappingSchemaFor(fields)).safeParse(override);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CsvImportError('MAPPING_INVALID', `Mapping for column "${String(issue.path[0])}": ${issue.message}`);
  }
  const duplicates = headers.filter((h, i) => headers.indexOf(h) !== i);
  if (duplicates.length > 0) {
    throw new CsvImportError(
      'HEADER_INVALID',
      `Line 1: the header has the same column name more than once (${[...new Set(duplicates)].map((d) => `"${d}"`).join(', ')}); rename the columns so each is unique.`,
      1,
    );
  }
  for (const header of Object.keys(parsed.data)) {
    if (!headers.includes(header)) {
      throw new CsvImportError('MAPPING_INVALID', `The mapping names a column "${header}" that the file does not have (columns: ${headers.join(', ')}).`);
    }
  }
  const mapping: ColumnMapping = { ...suggestMapping(headers, fields).mapping };
  // An override that takes a field away from another column leaves that column as a custom field.
  for (const [header, target] of Object.entries(parsed.data)) {
    if (!target.startsWith('custom:') && target !== 'ignore') {
      for (const [other, t] of Object.entries(mapping)) if (t === target && !(other in parsed.data)) mapping[other] = customKeyFor(other);
    }
    mapping[header] = target;
  }
  const seen = new Map<MappingTarget, string>();
  for (const [header, target] of Object.entries(mapping)) {
    if (target === 'ignore') continue;
    const prior = seen.get(target);
    if (prior) {
      throw new CsvImportError('MAPPING_INVALID', `Columns "${prior}" and "${header}" are both mapped to ${target}; map each field from one column only.`);
    }
    seen.set(target, header);
  }
  const required = importTargets(fields).find((t) => t.required)?.name ?? 'fullName';
  if (![...seen.keys()].includes(required)) {
    throw new CsvImportError('MAPPING_INVALID', 'No column is mapped to the customer name, which every customer needs; choose the column that holds it.');
  }
  return mapping;
}
