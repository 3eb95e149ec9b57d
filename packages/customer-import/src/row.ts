/**
 * One CSV record → one normalised customer, or the list of what is wrong with it
 * (line, column, field, message) so that the user can fix the file.
 */
import { z } from 'zod';
import type { CountryCode } from 'libphonenumber-js';
import { isSupportedCountry } from 'libphonenumber-js';
import { customerFields, type CustomerField, type FieldRegistry } from '@nudge/db/fields';
import type { ImportField } from './fields.js';
import type { ColumnMapping } from './mapping.js';
import { cleanText, normaliseEmail, normalisePhone } from './normalise.js';
import type { CsvRecord } from './read.js';

/** A customer as read from one row, normalised, keyed by the API's field names (the field
 * registry's). Absent fields were empty in the file. Text and dates are strings (dates YYYY-MM-DD,
 * instants ISO 8601), numbers numbers, lists string arrays; `ownerId` holds the owner as written
 * (a user's e-mail or name) until the server resolves it. */
export type ImportedCustomer = {
  fullName: string;
  company?: string;
  phone?: string;
  phoneRaw?: string;
  email?: string;
  industry?: string;
  ownerId?: string;
  tags?: string[];
  notes?: string;
  custom: Record<string, string>;
} & { [field: string]: unknown };

export interface RowError {
  /** Physical line in the file (header = 1). */
  line: number;
  /** The column header the value came from (absent for errors about the whole row). */
  column?: string;
  field?: ImportField | `custom:${string}`;
  /** English text, for API clients and the errors CSV. */
  message: string;
  /** Machine code of what is wrong (see ROW_ERROR_CODES); the editor words it from code and params. */
  code?: RowErrorCode;
  /** What the code's wording needs: the value, the limit, the country… */
  params?: Record<string, string | number>;
}

/** Every code a row error can have; the editor has a wording for each in every UI language. */
export const ROW_ERROR_CODES = [
  'extra_values', 'nul_character', 'phone_invalid', 'whatsapp_invalid', 'email_invalid', 'currency_invalid',
  'timezone_invalid', 'enum_invalid', 'too_many_items', 'not_whole_number', 'not_amount', 'below_min', 'above_max',
  'date_invalid', 'datetime_invalid', 'boolean_invalid', 'too_long', 'above_other', 'name_required',
  'industry_unmanaged', 'owner_unknown', 'owner_ambiguous', 'custom_invalid',
] as const;
export type RowErrorCode = (typeof ROW_ERROR_CODES)[number];

type CellProblem = { ok: false; message: string; code: RowErrorCode; params: Record<string, string | number> };
const problem = (code: RowErrorCode, params: Record<string, string | number>, message: string): CellProblem => ({ ok: false, message, code, params });

export type RowResult = { ok: true; line: number; customer: ImportedCustomer } | { ok: false; line: number; errors: RowError[] };

export interface RowOptions {
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2), e.g. TW. */
  defaultRegion: CountryCode;
  /** The field registry (default: the real customer table's). */
  fields?: FieldRegistry;
}

export const regionSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine((s) => isSupportedCountry(s), { message: 'must be a country code such as TW, CN, HK, ES, MX or US' }) as unknown as z.ZodType<CountryCode>;

const LIST_SEPARATORS = /[,;，；、|\n]+/;
const splitList = (v: string) => v.split(LIST_SEPARATORS).map(cleanText).filter(Boolean);

const CURRENCY_WORDS: Record<string, string> = {
  'nt$': 'TWD', ntd: 'TWD', 新台币: 'TWD', 新台幣: 'TWD', 台币: 'TWD', 台幣: 'TWD', rmb: 'CNY', 人民币: 'CNY', 人民幣: 'CNY',
  'us$': 'USD', $: 'USD', 美元: 'USD', '€': 'EUR', euro: 'EUR', euros: 'EUR', 欧元: 'EUR', 歐元: 'EUR', 'hk$': 'HKD', 港币: 'HKD', 港幣: 'HKD', '¥': 'CNY',
};

function parseAmount(v: string): number | undefined {
  const m = /^([+-]?\d{1,3}(?:[,\s]\d{3})*|[+-]?\d+)(?:\.(\d+))?\s*([kKmM萬万]?)$/.exec(v.replace(/^[^\d+-]+/, '').trim());
  if (!m) return undefined;
  const base = Number(`${m[1]!.replace(/[,\s]/g, '')}.${m[2] ?? '0'}`);
  const unit = m[3]?.toLowerCase();
  const factor = unit === 'k' ? 1e3 : unit === 'm' ? 1e6 : unit === '萬' || unit === '万' ? 1e4 : 1;
  return base * factor;
}

function parseDate(v: string): string | undefined {
  const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(v);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
  return date.toISOString().slice(0, 10);
}

function parseDateTime(v: string): string | undefined {
  const m = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (!m) return undefined;
  const day = parseDate(m[1]!);
  if (!day) return undefined;
  const [h, min, s] = [Number(m[2] ?? 0), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return undefined;
  let zone = m[5] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const iso = `${day}T${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}:${String(s).padStart(2, '0')}${zone}`;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function isTimeZone(v: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}

const emailSchema = z.email();

const orList = (v: readonly string[]) => (v.length > 1 ? `${v.slice(0, -1).join(', ')} or ${v.at(-1)}` : v.join(''));
const fold = (v: string) => v.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '');

/** One cell → the field's value, or the message saying what is wrong with it. */
function readValue(field: CustomerField, value: string, options: RowOptions): { ok: true; value: unknown; raw?: string } | CellProblem {
  const bad = (code: RowErrorCode, message: string, params: Record<string, string | number> = {}) => problem(code, { value, ...params }, message);
  switch (field.format) {
    case 'phone': {
      const r = normalisePhone(value, options.defaultRegion);
      return r.ok ? { ok: true, value: r.e164, raw: value } : bad('phone_invalid', r.message, { country: options.defaultRegion, example: r.example });
    }
    case 'whatsapp': {
      const r = normalisePhone(value, options.defaultRegion);
      return r.ok ? { ok: true, value: r.e164.slice(1) } : bad('whatsapp_invalid', r.message.replace('phone number', 'WhatsApp number'), { country: options.defaultRegion, example: r.example });
    }
    case 'email': {
      const email = normaliseEmail(value);
      return emailSchema.safeParse(email).success ? { ok: true, value: email } : bad('email_invalid', `"${value}" is not a valid e-mail address`);
    }
    case 'currency': {
      const code = CURRENCY_WORDS[value.toLowerCase()] ?? (/^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : undefined);
      return code ? { ok: true, value: code } : bad('currency_invalid', `"${value}" is not a currency; use a 3-letter code such as TWD, CNY, USD or EUR`);
    }
    case 'timezone':
      return isTimeZone(value) ? { ok: true, value } : bad('timezone_invalid', `"${value}" is not a time zone; use a name such as Asia/Taipei or Europe/Madrid`);
    case 'user':
      return { ok: true, value };
  }
  switch (field.type) {
    case 'enum': {
      const words = field.import?.valueWords ?? {};
      const hit =
        field.values?.find((v) => v.toLowerCase() === value.toLowerCase() || fold(v) === fold(value)) ??
        words[value.toLowerCase()] ??
        words[fold(value)];
      return hit ? { ok: true, value: hit } : bad('enum_invalid', `"${value}" is not a ${field.name}; use ${orList(field.values ?? [])}`, { field: field.name, values: (field.values ?? []).join(', ') });
    }
    case 'array': {
      const items = splitList(value);
      if (field.maxItems !== undefined && items.length > field.maxItems) {
        return bad('too_many_items', `lists ${items.length} values; a customer has at most ${field.maxItems} ${field.name}`, { count: items.length, max: field.maxItems, field: field.name });
      }
      return { ok: true, value: items };
    }
    case 'number': {
      const amount = parseAmount(value);
      if (amount === undefined || (field.integer && !Number.isInteger(amount))) return bad(field.integer ? 'not_whole_number' : 'not_amount', `"${value}" is not ${field.integer ? 'a whole number' : 'an amount; write a number such as 100000 or 100,000'}`);
      if (field.min !== undefined && amount < field.min) return bad('below_min', `"${value}" is below ${field.min}`, { min: field.min });
      if (field.max !== undefined && amount > field.max) return bad('above_max', `"${value}" is above ${field.max}`, { max: field.max });
      return { ok: true, value: amount };
    }
    case 'date': {
      const d = parseDate(value);
      return d ? { ok: true, value: d } : bad('date_invalid', `"${value}" is not a date; write it as YYYY-MM-DD, e.g. 1988-05-03`);
    }
    case 'datetime': {
      const d = parseDateTime(value);
      return d ? { ok: true, value: d } : bad('datetime_invalid', `"${value}" is not a date and time; write it as YYYY-MM-DD HH:mm (UTC) or ISO 8601 with an offset`);
    }
    case 'boolean': {
      const b = /^(1|true|yes|y|是|si|sí)$/i.test(value) ? true : /^(0|false|no|n|否)$/i.test(value) ? false : undefined;
      return b === undefined ? bad('boolean_invalid', `"${value}" is not yes or no`) : { ok: true, value: b };
    }
    default: {
      const max = field.maxLength ?? 200;
      return value.length > max ? bad('too_long', `is longer than ${max} characters`, { max }) : { ok: true, value };
    }
  }
}

/** Maps and validates one record. `headers[i]` names `record.values[i]`. */
export function validateRow(record: CsvRecord, headers: readonly string[], mapping: ColumnMapping, options: RowOptions): RowResult {
  const fields = options.fields ?? customerFields;
  const errors: RowError[] = [];
  const out: Record<string, unknown> & { custom: Record<string, string> } = { custom: {} };
  const line = record.line;
  if (record.values.length > headers.length && record.values.slice(headers.length).some((v) => v.trim() !== '')) {
    errors.push({
      line,
      message: `has ${record.values.length} values but the header has ${headers.length} columns; a value probably contains the delimiter without quotes`,
      code: 'extra_values',
      params: { values: record.values.length, columns: headers.length },
    });
  }
  headers.forEach((column, i) => {
    const target = mapping[column];
    const raw = record.values[i] ?? '';
    const value = cleanText(raw);
    if (!target || target === 'ignore' || value === '') return;
    const fail = (code: RowErrorCode, message: string) => errors.push({ line, column, field: target, message, code, params: {} });
    // the database cannot store U+0000: this row is invalid (skip-invalid skips just this row)
    if (raw.includes('\u0000')) return void fail('nul_character', 'contains the NUL character (\\u0000), which cannot be stored');
    if (target.startsWith('custom:')) {
      out.custom[target.slice('custom:'.length)] = value;
      return;
    }
    if (target === 'notes') {
      out.notes = raw.trim();
      return;
    }
    if (target === 'tags') {
      out.tags = [...new Set(splitList(value))];
      return;
    }
    const field = fields.get(target);
    if (!field?.import) return;
    const r = readValue(field, value, options);
    if (!r.ok) {
      errors.push({ line, column, field: target, message: r.message, code: r.code, params: r.params });
      return;
    }
    out[target] = r.value;
    if (field.raw && r.raw !== undefined) out[field.raw] = r.raw;
  });
  for (const field of fields.importable) {
    const above = field.notAbove;
    const a = out[field.name];
    const b = above ? out[above] : undefined;
    if (above && typeof a === 'number' && typeof b === 'number' && a > b) {
      const column = headers.find((h) => mapping[h] === field.name);
      errors.push({ line, column, field: field.name, message: `${field.name} ${a} is above ${above} ${b}`, code: 'above_other', params: { field: field.name, value: a, other: above, otherValue: b } });
    }
  }
  const required = fields.importable.filter((f) => f.import!.required);
  for (const field of required) {
    if (out[field.name] === undefined && !errors.some((e) => e.field === field.name)) {
      const column = headers.find((h) => mapping[h] === field.name);
      errors.push({ line, column, field: field.name, message: 'is empty; every customer needs a name', code: 'name_required', params: {} });
    }
  }
  if (errors.length > 0) return { ok: false, line, errors };
  return { ok: true, line, customer: out as ImportedCustomer };
}
