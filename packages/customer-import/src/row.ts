/**
 * One CSV record → one normalised customer, or the list of what is wrong with it
 * (line, column, field, message) so that the user can fix the file.
 */
import { z } from 'zod';
import type { CountryCode } from 'libphonenumber-js';
import { isSupportedCountry } from 'libphonenumber-js';
import type { ImportField } from './fields.js';
import type { ColumnMapping } from './mapping.js';
import { cleanText, normaliseEmail, normalisePhone } from './normalise.js';
import type { CsvRecord } from './read.js';

export const TIERS = ['A', 'B', 'C', 'strategic'] as const;
export type Tier = (typeof TIERS)[number];

/** A customer as read from one row, normalised. Absent fields were empty in the file. */
export interface ImportedCustomer {
  name: string;
  company?: string;
  /** E.164 */
  phone?: string;
  /** As typed in the file. */
  phoneRaw?: string;
  email?: string;
  /** WhatsApp id: the E.164 number's digits. */
  whatsapp?: string;
  industry?: string;
  tier?: Tier;
  products?: string[];
  budgetMin?: number;
  budgetMax?: number;
  budgetCurrency?: string;
  timezone?: string;
  /** YYYY-MM-DD */
  birthday?: string;
  /** ISO 8601 */
  firstContactAt?: string;
  lastFollowUpAt?: string;
  source?: string;
  /** The owner as written (a user's e-mail or name); the server resolves it to a user. */
  owner?: string;
  tags?: string[];
  notes?: string;
  custom: Record<string, string>;
}

export interface RowError {
  /** Physical line in the file (header = 1). */
  line: number;
  /** The column header the value came from (absent for errors about the whole row). */
  column?: string;
  field?: ImportField | `custom:${string}`;
  message: string;
}

export type RowResult = { ok: true; line: number; customer: ImportedCustomer } | { ok: false; line: number; errors: RowError[] };

export interface RowOptions {
  /** Region for phone numbers written without a country code (ISO 3166 alpha-2), e.g. TW. */
  defaultRegion: CountryCode;
}

export const regionSchema = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine((s) => isSupportedCountry(s), { message: 'must be a country code such as TW, CN, HK, ES, MX or US' }) as unknown as z.ZodType<CountryCode>;

const LIST_SEPARATORS = /[,;，；、|\n]+/;
const splitList = (v: string) => v.split(LIST_SEPARATORS).map(cleanText).filter(Boolean);

const TIER_WORDS: Record<string, Tier> = {
  a: 'A', b: 'B', c: 'C', strategic: 'strategic', estrategico: 'strategic', 'estratégico': 'strategic',
  战略: 'strategic', 戰略: 'strategic', 战略客户: 'strategic', 戰略客戶: 'strategic',
  a级: 'A', b级: 'B', c级: 'C', a級: 'A', b級: 'B', c級: 'C',
};
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

/** Maps and validates one record. `headers[i]` names `record.values[i]`. */
export function validateRow(record: CsvRecord, headers: readonly string[], mapping: ColumnMapping, options: RowOptions): RowResult {
  const errors: RowError[] = [];
  const out: Partial<ImportedCustomer> & { custom: Record<string, string> } = { custom: {} };
  const line = record.line;
  if (record.values.length > headers.length && record.values.slice(headers.length).some((v) => v.trim() !== '')) {
    errors.push({
      line,
      message: `has ${record.values.length} values but the header has ${headers.length} columns; a value probably contains the delimiter without quotes`,
    });
  }
  headers.forEach((column, i) => {
    const target = mapping[column];
    const raw = record.values[i] ?? '';
    const value = cleanText(raw);
    if (!target || target === 'ignore' || value === '') return;
    const fail = (message: string) => errors.push({ line, column, field: target, message });
    // the database cannot store U+0000: this row is invalid (skip-invalid skips just this row)
    if (raw.includes('\u0000')) return void fail('contains the NUL character (\\u0000), which cannot be stored');
    if (target.startsWith('custom:')) {
      out.custom[target.slice('custom:'.length)] = value;
      return;
    }
    switch (target as ImportField) {
      case 'name':
        if (value.length > 200) fail('is longer than 200 characters');
        else out.name = value;
        break;
      case 'company':
      case 'industry':
      case 'source':
      case 'owner':
        out[target as 'company' | 'industry' | 'source' | 'owner'] = value;
        break;
      case 'notes':
        out.notes = raw.trim();
        break;
      case 'phone': {
        const r = normalisePhone(value, options.defaultRegion);
        if (r.ok) {
          out.phone = r.e164;
          out.phoneRaw = value;
        } else fail(r.message);
        break;
      }
      case 'whatsapp': {
        const r = normalisePhone(value, options.defaultRegion);
        if (r.ok) out.whatsapp = r.e164.slice(1);
        else fail(r.message.replace('phone number', 'WhatsApp number'));
        break;
      }
      case 'email': {
        const email = normaliseEmail(value);
        if (emailSchema.safeParse(email).success) out.email = email;
        else fail(`"${value}" is not a valid e-mail address`);
        break;
      }
      case 'tier': {
        const tier = TIER_WORDS[value.toLowerCase()] ?? TIER_WORDS[value.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '')];
        if (tier) out.tier = tier;
        else fail(`"${value}" is not a tier; use A, B, C or strategic`);
        break;
      }
      case 'products': {
        const products = splitList(value);
        if (products.length > 2) fail(`lists ${products.length} products; a customer has at most 2 products of interest`);
        else out.products = products;
        break;
      }
      case 'tags':
        out.tags = [...new Set(splitList(value))];
        break;
      case 'budgetMin':
      case 'budgetMax': {
        const amount = parseAmount(value);
        if (amount === undefined || amount < 0) fail(`"${value}" is not an amount; write a number such as 100000 or 100,000`);
        else out[target as 'budgetMin' | 'budgetMax'] = amount;
        break;
      }
      case 'budgetCurrency': {
        const code = CURRENCY_WORDS[value.toLowerCase()] ?? (/^[A-Za-z]{3}$/.test(value) ? value.toUpperCase() : undefined);
        if (code) out.budgetCurrency = code;
        else fail(`"${value}" is not a currency; use a 3-letter code such as TWD, CNY, USD or EUR`);
        break;
      }
      case 'timezone':
        if (isTimeZone(value)) out.timezone = value;
        else fail(`"${value}" is not a time zone; use a name such as Asia/Taipei or Europe/Madrid`);
        break;
      case 'birthday': {
        const d = parseDate(value);
        if (d) out.birthday = d;
        else fail(`"${value}" is not a date; write it as YYYY-MM-DD, e.g. 1988-05-03`);
        break;
      }
      case 'firstContactAt':
      case 'lastFollowUpAt': {
        const d = parseDateTime(value);
        if (d) out[target as 'firstContactAt' | 'lastFollowUpAt'] = d;
        else fail(`"${value}" is not a date and time; write it as YYYY-MM-DD HH:mm (UTC) or ISO 8601 with an offset`);
        break;
      }
    }
  });
  if (out.budgetMin !== undefined && out.budgetMax !== undefined && out.budgetMin > out.budgetMax) {
    const column = headers.find((h) => mapping[h] === 'budgetMin');
    errors.push({ line, column, field: 'budgetMin', message: `budget minimum ${out.budgetMin} is above the maximum ${out.budgetMax}` });
  }
  if (out.name === undefined && !errors.some((e) => e.field === 'name')) {
    const column = headers.find((h) => mapping[h] === 'name');
    errors.push({ line, column, field: 'name', message: 'is empty; every customer needs a name' });
  }
  if (errors.length > 0) return { ok: false, line, errors };
  return { ok: true, line, customer: out as ImportedCustomer };
}
