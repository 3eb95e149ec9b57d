/**
 * First phase of an import (and the whole of a preview): decode and parse the file, map every
 * record and validate it — including what only the database knows: the managed industry list and
 * the types of defined custom fields. Nothing is written here.
 */
import { schema, type DbHandle } from '@nudge/db';
import {
  openCsv,
  resolveMapping,
  suggestMapping,
  validateRow,
  type ColumnMapping,
  type ImportedCustomer,
  type MappingSuggestion,
  type RowError,
  type DetectedEncoding,
} from '@nudge/customer-import';
import type { CountryCode } from 'libphonenumber-js';
import { customValueFromText, expectedCustomValue, industryAllowed, isValidCustomValue, type CustomFieldRule } from '../customers/rules.js';

export interface ReadOptions {
  mapping?: ColumnMapping;
  defaultRegion: CountryCode;
  encoding?: string;
  delimiter?: string;
}

export interface CustomFieldDef extends CustomFieldRule {
  key: string;
}

/** What the database says a row must respect (and how an owner's name or e-mail becomes a user). */
export interface DbRules {
  industries: string[];
  customFields: Map<string, CustomFieldDef>;
  /** Active users by lower-cased e-mail and by lower-cased name (an owner column names one). */
  users: Map<string, { id: string; email: string }[]>;
  userEmailById: Map<string, string>;
}

export async function loadDbRules(db: DbHandle): Promise<DbRules> {
  const [industries, defs, users] = await Promise.all([
    db.db.select({ name: schema.industries.name }).from(schema.industries),
    db.db.select({ key: schema.customFieldDefinitions.key, type: schema.customFieldDefinitions.type, options: schema.customFieldDefinitions.options }).from(schema.customFieldDefinitions),
    db.db.select({ id: schema.users.id, email: schema.users.email, name: schema.users.name, active: schema.users.active }).from(schema.users),
  ]);
  const byKey = new Map<string, { id: string; email: string }[]>();
  for (const u of users.filter((x) => x.active)) {
    for (const key of new Set([u.email.toLowerCase(), u.name.trim().toLowerCase()])) byKey.set(key, [...(byKey.get(key) ?? []), { id: u.id, email: u.email }]);
  }
  return {
    industries: industries.map((i) => i.name),
    customFields: new Map(defs.map((d) => [d.key, d])),
    users: byKey,
    userEmailById: new Map(users.map((u) => [u.id, u.email])),
  };
}

/** A custom field value as stored (typed per its definition; text when it has none yet). */
export function typedCustomValue(def: CustomFieldDef | undefined, value: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (!def) return { ok: true, value };
  const typed = customValueFromText(def, value);
  return isValidCustomValue(def, typed) ? { ok: true, value: typed } : { ok: false, message: `"${value}" is not ${expectedCustomValue(def)}` };
}

function dbRuleErrors(line: number, customer: ImportedCustomer, headers: readonly string[], mapping: ColumnMapping, rules: DbRules): RowError[] {
  const errors: RowError[] = [];
  const columnOf = (target: string) => headers.find((h) => mapping[h] === target);
  if (!industryAllowed(rules.industries, customer.industry)) {
    errors.push({
      line,
      column: columnOf('industry'),
      field: 'industry',
      message: `"${customer.industry}" is not in the managed list of industries (${rules.industries.join(', ')})`,
      code: 'industry_unmanaged',
      params: { value: String(customer.industry), values: rules.industries.join(', ') },
    });
  }
  if (customer.ownerId) {
    const found = rules.users.get(customer.ownerId.toLowerCase()) ?? [];
    if (found.length === 1) customer.ownerId = found[0]!.email;
    else {
      errors.push({
        line,
        column: columnOf('ownerId'),
        field: 'ownerId',
        message: found.length === 0
          ? `"${customer.ownerId}" is not an active user; write a user's e-mail or name`
          : `several users are called "${customer.ownerId}"; write the owner's e-mail instead`,
        code: found.length === 0 ? 'owner_unknown' : 'owner_ambiguous',
        params: { value: customer.ownerId },
      });
    }
  }
  for (const [key, value] of Object.entries(customer.custom)) {
    const r = typedCustomValue(rules.customFields.get(key), value);
    if (!r.ok) {
      const def = rules.customFields.get(key)!;
      errors.push({ line, column: columnOf(`custom:${key}`), field: `custom:${key}`, message: r.message, code: 'custom_invalid', params: { value, type: def.type, options: (def.options ?? []).join(', ') } });
    }
  }
  return errors;
}

export interface ValidRow {
  line: number;
  customer: ImportedCustomer;
}

export interface OpenedImport {
  encoding: DetectedEncoding;
  delimiter: string;
  headers: string[];
  suggestions: MappingSuggestion[];
  mapping: ColumnMapping;
  /** Each record, mapped and validated, in file order. Throws CsvImportError on a malformed file. */
  rows: AsyncGenerator<{ line: number; values: string[]; result: { ok: true; customer: ImportedCustomer } | { ok: false; errors: RowError[] } }>;
  close(): void;
}

export async function openImport(bytes: Uint8Array, options: ReadOptions, rules: DbRules): Promise<OpenedImport> {
  const csv = await openCsv(bytes, { encoding: options.encoding, delimiter: options.delimiter });
  const { suggestions } = suggestMapping(csv.headers);
  let mapping: ColumnMapping;
  try {
    mapping = resolveMapping(csv.headers, options.mapping ?? {});
  } catch (err) {
    csv.close();
    throw err;
  }
  async function* rows() {
    for await (const record of csv.records) {
      const r = validateRow(record, csv.headers, mapping, { defaultRegion: options.defaultRegion });
      if (!r.ok) {
        yield { line: record.line, values: record.values, result: { ok: false as const, errors: r.errors } };
        continue;
      }
      const errors = dbRuleErrors(record.line, r.customer, csv.headers, mapping, rules);
      yield {
        line: record.line,
        values: record.values,
        result: errors.length ? { ok: false as const, errors } : { ok: true as const, customer: r.customer },
      };
    }
  }
  return { encoding: csv.encoding, delimiter: csv.delimiter, headers: csv.headers, suggestions, mapping, rows: rows(), close: csv.close };
}

/** Rough number of records, for progress before the file has been read: its line breaks. */
export function estimateRows(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) n++;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) n++;
  return Math.max(0, n - 1);
}
