/**
 * The customer field registry: ONE description of every customer field, derived from the drizzle
 * `customers` table (API name = the drizzle key, column, type, enum values, not-null) plus the
 * traits in `customer-fields.ts` (import header aliases, how an imported value is read, which
 * features use the field, masking). Segments, flow conditions and node-context snapshots, the
 * import's mapping / validation / merge / writing, the customer API's shape and the CSV export
 * all read it; GET /api/fields serves it to the editor. See README "Adding a typed customer field".
 *
 * Browser-safe: only drizzle's table metadata, no driver.
 */
import { getTableColumns, type Table } from 'drizzle-orm';

/** A field's type as the features see it (what a segment may compare, how a cell is parsed…). */
export type FieldType = 'text' | 'enum' | 'number' | 'boolean' | 'datetime' | 'date' | 'uuid' | 'array' | 'json';

/**
 * How a text value is checked and normalised, at the API and in the import:
 * phone → E.164 (the typed form kept in the field's `raw` companion), whatsapp → the E.164 digits,
 * email → lower-cased address, currency → ISO 4217 code, timezone → IANA name, user → a user's
 * e-mail or name in a file, a user id at the API.
 */
export type FieldFormat = 'phone' | 'whatsapp' | 'email' | 'currency' | 'timezone' | 'user';

export interface FieldTraits {
  /** The customer API may set it (create / patch). Default: true unless `system`. */
  writable?: boolean;
  /** Kept by the server (ids, timestamps, aggregates): readable, never set by a client. */
  system?: boolean;
  /** Not part of the API's customer record at all. */
  hidden?: boolean;
  format?: FieldFormat;
  /** Text: longest value (default 200). Number: smallest value. Array: most items. */
  maxLength?: number;
  min?: number;
  max?: number;
  maxItems?: number;
  /** This field's value may not exceed that field's (e.g. a budget range). */
  notAbove?: string;
  /** Masked (phone or e-mail style) for users without the contact.unmask right. */
  mask?: 'phone' | 'email';
  /** A segment condition may test it. */
  segment?: boolean;
  /** A flow condition may test it; it is in a run's customer snapshot under `fields`. */
  condition?: boolean;
  /** A message template may print it ({name}). */
  template?: string;
  /** A column in the customers CSV export. Default: true unless `hidden`. */
  export?: boolean;
  /** A CSV column may be mapped to it: the header words (any language) that suggest it. */
  import?: {
    aliases: readonly string[];
    required?: boolean;
    /** Words in a file that mean an enum value (e.g. 战略 → strategic), compared case-insensitively. */
    valueWords?: Readonly<Record<string, string>>;
    /** The value a new customer gets when the file has none (e.g. source = import). */
    defaultValue?: string;
  };
  /** Merging two customers fills it when empty (default: scalar fields a client sets, but the name). */
  mergeable?: boolean;
  /** Another field that holds this one's value as typed (phone → phoneRaw); written along with it. */
  raw?: string;
}

export interface CustomerField extends Omit<FieldTraits, 'writable' | 'export' | 'segment' | 'condition' | 'mergeable'> {
  /** The API's name (camelCase) = the drizzle key. */
  name: string;
  /** The SQL column. */
  column: string;
  type: FieldType;
  /** The column's SQL type (for jsonb_to_recordset and casts). */
  sqlType: string;
  values?: readonly string[];
  integer: boolean;
  notNull: boolean;
  writable: boolean;
  export: boolean;
  segment: boolean;
  condition: boolean;
  mergeable: boolean;
}

interface ColumnMeta {
  name: string;
  columnType: string;
  dataType: string;
  notNull: boolean;
  enumValues?: readonly string[];
  getSQLType(): string;
}

function typeOf(col: ColumnMeta): { type: FieldType; integer: boolean } {
  if (col.columnType === 'PgEnumColumn') return { type: 'enum', integer: false };
  if (col.columnType === 'PgUUID') return { type: 'uuid', integer: false };
  if (col.columnType === 'PgDateString' || col.columnType === 'PgDate') return { type: 'date', integer: false };
  if (col.columnType === 'PgTimestamp' || col.columnType === 'PgTimestampString') return { type: 'datetime', integer: false };
  if (col.dataType === 'number') return { type: 'number', integer: /int/i.test(col.columnType) };
  if (col.dataType === 'boolean') return { type: 'boolean', integer: false };
  if (col.dataType === 'array') return { type: 'array', integer: false };
  if (col.dataType === 'json') return { type: 'json', integer: false };
  return { type: 'text', integer: false };
}

/** Table + traits → the registry, in the table's column order. Unknown trait keys are an error. */
export function buildFieldRegistry(table: Table, traits: Readonly<Record<string, FieldTraits>>): CustomerField[] {
  const columns = getTableColumns(table) as unknown as Record<string, ColumnMeta>;
  for (const key of Object.keys(traits)) {
    if (!(key in columns)) throw new Error(`customer field traits name "${key}", which is not a column of the table`);
  }
  return Object.entries(columns).map(([name, col]) => {
    const t = traits[name] ?? {};
    const { type, integer } = typeOf(col);
    const hidden = t.hidden ?? false;
    const system = t.system ?? false;
    const writable = t.writable ?? (!system && !hidden);
    return {
      ...t,
      name,
      column: col.name,
      type,
      integer,
      sqlType: col.getSQLType(),
      ...(col.enumValues ? { values: col.enumValues } : {}),
      notNull: col.notNull,
      hidden,
      system,
      writable,
      mergeable: t.mergeable ?? ((writable || !!t.mask) && !col.notNull && !['array', 'json', 'boolean'].includes(type)),
      export: t.export ?? !hidden,
      segment: t.segment ?? false,
      condition: t.condition ?? false,
    };
  });
}

/** Lookups over one registry. */
export class FieldRegistry {
  readonly byName: ReadonlyMap<string, CustomerField>;
  constructor(readonly fields: readonly CustomerField[]) {
    this.byName = new Map(fields.map((f) => [f.name, f]));
  }
  get(name: string): CustomerField | undefined {
    return this.byName.get(name);
  }
  /** In the API's customer record. */
  get api(): CustomerField[] {
    return this.fields.filter((f) => !f.hidden);
  }
  get writable(): CustomerField[] {
    return this.fields.filter((f) => f.writable);
  }
  get segment(): CustomerField[] {
    return this.fields.filter((f) => f.segment);
  }
  get condition(): CustomerField[] {
    return this.fields.filter((f) => f.condition);
  }
  get mergeable(): CustomerField[] {
    return this.fields.filter((f) => f.mergeable);
  }
  get export(): CustomerField[] {
    return this.fields.filter((f) => f.export);
  }
  /** CSV-mappable fields. */
  get importable(): CustomerField[] {
    return this.fields.filter((f) => f.import);
  }
  /** Written by an import: the mappable fields and their raw companions. */
  get importWritten(): CustomerField[] {
    const raws = new Set(this.importable.flatMap((f) => (f.raw ? [f.raw] : [])));
    return this.fields.filter((f) => f.import || raws.has(f.name));
  }
  /** Text fields that hold a phone number, digits or an e-mail (masking). */
  get masked(): CustomerField[] {
    return this.fields.filter((f) => f.mask);
  }
}
