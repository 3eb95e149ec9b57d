// Turns a node's config JSON Schema (as produced from its zod schema) into a list of field specs
// that the form renders. Pure: no React here, so the mapping is unit-tested on its own.
export type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  [key: string]: unknown;
};

export type Widget = 'duration' | 'template' | 'segment' | 'cron' | 'timezone' | 'textarea' | 'tags' | 'user' | 'flow' | 'message_template';
export const knownWidgets: readonly Widget[] = ['duration', 'template', 'segment', 'cron', 'timezone', 'textarea', 'tags', 'user', 'flow', 'message_template'];

interface BaseField {
  /** Path from the config root, e.g. ['cases', 0, 'label'] is rendered as cases.0.label. */
  name: string;
  path: string;
  title: string;
  description?: string;
  required: boolean;
  schema: JsonSchema;
  default?: unknown;
}
export type FieldSpec =
  | (BaseField & { kind: 'text'; minLength?: number; maxLength?: number; format?: string; pattern?: string })
  | (BaseField & { kind: 'number' | 'integer'; minimum?: number; maximum?: number })
  | (BaseField & { kind: 'boolean' })
  | (BaseField & { kind: 'enum'; options: { value: string | number | boolean; label: string }[] })
  | (BaseField & { kind: 'widget'; widget: Widget })
  | (BaseField & { kind: 'stringList' })
  | (BaseField & { kind: 'object'; fields: FieldSpec[] })
  | (BaseField & { kind: 'list'; item: JsonSchema; itemFields: FieldSpec[]; minItems?: number; maxItems?: number })
  | (BaseField & { kind: 'variant'; discriminator: string; variants: { value: string; label: string; schema: JsonSchema }[] })
  | (BaseField & { kind: 'condition' })
  | (BaseField & { kind: 'json' });

export type UiHints = Record<string, { widget: string } & Record<string, unknown>>;

/** "followUpDays" → "Follow up days", "send_at" → "Send at". */
export function humanize(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(schema.$ref);
  const target = m ? (root[m[1] as '$defs'] as Record<string, JsonSchema> | undefined)?.[decodeURIComponent(m[2]!)] : undefined;
  return target ? { ...target, ...schema, $ref: undefined } : schema;
}

/** Removes the `null` branch of nullable unions: anyOf [X, {type:'null'}] → X. */
function unwrapNullable(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    const nonNull = branches.filter((b) => b.type !== 'null');
    if (nonNull.length === 1 && nonNull.length < branches.length) return { ...nonNull[0], title: schema.title ?? nonNull[0]!.title, description: schema.description ?? nonNull[0]!.description, default: schema.default ?? nonNull[0]!.default };
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  return schema;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : schema.type;
}

/** The recursive condition tree of if/else and goals: a union with an AND/OR branch holding `conditions`. */
function isConditionTree(branches: JsonSchema[], root: JsonSchema): boolean {
  return branches.some((b) => {
    const r = resolveRef(b, root);
    return typeOf(r) === 'object' && typeOf(r.properties?.conditions ?? {}) === 'array';
  });
}

/** A union of objects that share one property with a constant value per branch. */
function discriminatorOf(branches: JsonSchema[], root: JsonSchema): string | null {
  const resolved = branches.map((b) => resolveRef(b, root));
  if (!resolved.every((b) => typeOf(b) === 'object' && b.properties)) return null;
  const first = resolved[0]!;
  for (const key of Object.keys(first.properties ?? {})) {
    const constants = resolved.map((b) => {
      const p = b.properties?.[key];
      return p?.const ?? (p?.enum?.length === 1 ? p.enum[0] : undefined);
    });
    if (constants.every((c) => typeof c === 'string') && new Set(constants).size === constants.length) return key;
  }
  return null;
}

export function fieldFromSchema(name: string, path: string, raw: JsonSchema, required: boolean, ui: UiHints, root: JsonSchema): FieldSpec {
  const schema = unwrapNullable(resolveRef(raw, root));
  const base: BaseField = {
    name, path, required, schema,
    title: schema.title ?? humanize(name),
    ...(schema.description ? { description: schema.description } : {}),
    ...(schema.default !== undefined ? { default: schema.default } : {}),
  };
  const hint = ui[path.replace(/\[\]/g, '')]?.widget ?? ui[path]?.widget ?? ui[name]?.widget ?? (typeof schema['x-widget'] === 'string' ? (schema['x-widget'] as string) : undefined);
  if (hint && (knownWidgets as readonly string[]).includes(hint)) {
    if (hint === 'tags' && typeOf(schema) === 'array') return { ...base, kind: 'widget', widget: 'tags' };
    if (hint === 'template' && typeOf(schema) === 'array') return { ...base, kind: 'stringList' };
    return { ...base, kind: 'widget', widget: hint as Widget };
  }
  const enumValues = schema.enum ?? (schema.const !== undefined ? [schema.const] : undefined);
  if (enumValues) {
    return { ...base, kind: 'enum', options: enumValues.filter((v): v is string | number | boolean => v !== null).map((v) => ({ value: v, label: String(v) })) };
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) {
    if (isConditionTree(branches, root)) return { ...base, kind: 'condition' };
    // A union of literals and enums (e.g. channel: email | whatsapp | sms | "any") is one select.
    const literalGroups = branches.map((b) => (b.const !== undefined ? [b.const] : b.enum ? b.enum : undefined));
    if (literalGroups.every((v) => v !== undefined)) {
      const values = [...new Set(literalGroups.flat())].filter((v): v is string | number | boolean => v !== null);
      return { ...base, kind: 'enum', options: values.map((v) => ({ value: v, label: String(v) })) };
    }
    const discriminator = discriminatorOf(branches, root);
    if (discriminator) {
      return {
        ...base, kind: 'variant', discriminator,
        variants: branches.map((b) => {
          const r = resolveRef(b, root);
          const p = r.properties![discriminator]!;
          const value = String(p.const ?? p.enum![0]);
          return { value, label: r.title ?? p.title ?? humanize(value), schema: r };
        }),
      };
    }
    return { ...base, kind: 'json' };
  }
  switch (typeOf(schema)) {
    case 'string':
      if (schema.maxLength !== undefined && schema.maxLength > 200) return { ...base, kind: 'widget', widget: 'textarea' };
      return {
        ...base, kind: 'text',
        ...(schema.minLength !== undefined ? { minLength: schema.minLength } : {}),
        ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}),
        ...(schema.format ? { format: schema.format } : {}),
        ...(schema.pattern ? { pattern: schema.pattern } : {}),
      };
    case 'number':
    case 'integer': {
      const minimum = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum : undefined);
      const maximum = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum : undefined);
      return { ...base, kind: typeOf(schema) as 'number' | 'integer', ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}) };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'object':
      if (!schema.properties) return { ...base, kind: 'json' };
      return { ...base, kind: 'object', fields: fieldsFromSchema(schema, ui, root, path) };
    case 'array': {
      const item = unwrapNullable(resolveRef(schema.items ?? {}, root));
      const minMax = { ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}), ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}) };
      if (typeOf(item) === 'string' && !item.enum) return { ...base, kind: 'stringList' };
      if (typeOf(item) === 'object' && item.properties) return { ...base, kind: 'list', item, itemFields: fieldsFromSchema(item, ui, root, `${path}[]`), ...minMax };
      return { ...base, kind: 'json' };
    }
    default:
      return { ...base, kind: 'json' };
  }
}

/** The fields of an object schema in declaration order; `prefix` builds nested paths. */
export function fieldsFromSchema(schema: JsonSchema, ui: UiHints = {}, root: JsonSchema = schema, prefix = ''): FieldSpec[] {
  const resolved = resolveRef(schema, root);
  const required = new Set(resolved.required ?? []);
  return Object.entries(resolved.properties ?? {}).map(([name, prop]) =>
    fieldFromSchema(name, prefix ? `${prefix}.${name}` : name, prop, required.has(name), ui, root),
  );
}

/** The value a new field or list item starts with. */
export function initialValue(schema: JsonSchema, root: JsonSchema = schema): unknown {
  const s = unwrapNullable(resolveRef(schema, root));
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  const branches = s.anyOf ?? s.oneOf;
  if (branches?.length) return initialValue(branches[0]!, root);
  switch (typeOf(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set(s.required ?? []);
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        const v = initialValue(p, root);
        if (required.has(k) || v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'array':
      return [];
    case 'boolean':
      return false;
    case 'string':
      return '';
    default:
      return undefined;
  }
}

/** Problems whose field matches this path (exact, or nested below it). */
/** A problem's config field as a dotted path ("cases.0.id"), without a leading "config.". */
export function problemPath(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1').replace(/^config\./, '');
}

/**
 * The problems of the field at `path`. With `inside`, also those of parts the field's control draws
 * itself (a duration's amount, a JSON value's keys), so the reason shows next to that control.
 */
export function problemsForField<T extends { field?: string | null }>(problems: readonly T[], path: string, inside = false): T[] {
  const normalized = path.replace(/\[\]/g, '');
  return problems.filter((p) => {
    if (!p.field) return false;
    const f = problemPath(p.field);
    return f === normalized || f === path || (inside && f.startsWith(`${normalized}.`));
  });
}

/** The units a duration field's schema allows (`{ amount, unit: enum }`), or undefined when it does not say. */
export function durationUnitsOf(schema: JsonSchema): string[] | undefined {
  const units = schema.properties?.unit?.enum;
  return Array.isArray(units) && units.length > 0 && units.every((u) => typeof u === 'string') ? (units as string[]) : undefined;
}
