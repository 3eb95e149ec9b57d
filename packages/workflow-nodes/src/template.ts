/**
 * Message templates: "Hi {name}, {owner} will call you about {last_product|our products}."
 * A variable is `{path}` or `{path|fallback}`; braces that do not hold a variable name (JSON, say)
 * are left alone. Pure: used by the graph validator (unknown variables) and by the send action.
 */
import type { CustomerSnapshot } from './customer.js';

const variablePattern = /\{\s*([A-Za-z_][\w]*(?:\.[\w-]+)*)\s*(?:\|([^{}]*))?\}/g;

/** Variables every customer has. `custom.<key>` reads a custom field, `event.<key>` the triggering event. */
export const builtinTemplateVariables = ['name', 'company', 'email', 'phone', 'owner', 'last_product', 'tier'] as const;

export interface TemplateVariableUse {
  name: string;
  fallback: string | null;
  /** index in the text, for error messages */
  index: number;
}

export function templateVariables(text: string): TemplateVariableUse[] {
  const found: TemplateVariableUse[] = [];
  for (const m of text.matchAll(variablePattern)) {
    found.push({ name: m[1]!, fallback: m[2] ?? null, index: m.index });
  }
  return found;
}

export interface KnownVariables {
  /** custom field keys that exist; undefined = accept any `custom.*` */
  customFields?: readonly string[];
}

/** The variables in `text` that no customer can fill, each with a plain explanation. */
export function unknownTemplateVariables(
  text: string,
  known: KnownVariables = {},
): { name: string; message: string }[] {
  const problems: { name: string; message: string }[] = [];
  for (const use of templateVariables(text)) {
    const { name } = use;
    if ((builtinTemplateVariables as readonly string[]).includes(name)) continue;
    if (name.startsWith('event.') && name.length > 'event.'.length) continue;
    if (name.startsWith('custom.')) {
      const key = name.slice('custom.'.length);
      if (!known.customFields || known.customFields.includes(key)) continue;
      problems.push({
        name,
        message: `The variable {${name}} uses a custom field "${key}" that does not exist. Known custom fields: ${
          known.customFields.join(', ') || 'none'
        }.`,
      });
      continue;
    }
    problems.push({
      name,
      message: `The variable {${name}} is unknown. Use one of ${builtinTemplateVariables
        .map((v) => `{${v}}`)
        .join(', ')}, {custom.<field>} or {event.<field>}.`,
    });
  }
  return problems;
}

const asText = (v: unknown): string | undefined => {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v; // "  " is as empty as 
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(asText).filter(Boolean).join(', ');
  return JSON.stringify(v);
};

/** A customer (and the triggering event's data) as template values. */
export function customerTemplateValues(
  customer: CustomerSnapshot,
  eventData: Record<string, unknown> = {},
): Record<string, string> {
  const values: Record<string, string> = {};
  const put = (k: string, v: unknown) => {
    const s = asText(v);
    if (s !== undefined) values[k] = s;
  };
  put('name', customer.name);
  put('company', customer.company);
  put('email', customer.email);
  put('phone', customer.phone);
  put('owner', customer.ownerName);
  put('last_product', customer.lastProduct);
  put('tier', customer.fields.tier);
  for (const [k, v] of Object.entries(customer.custom)) put(`custom.${k}`, v);
  for (const [k, v] of Object.entries(eventData)) put(`event.${k}`, v);
  return values;
}

export interface RenderedTemplate {
  text: string;
  /** variables that had neither a value nor a fallback (rendered as empty text) */
  missing: string[];
}

export function renderTemplate(text: string, values: Readonly<Record<string, string>>): RenderedTemplate {
  const missing: string[] = [];
  const rendered = text.replace(variablePattern, (_all, name: string, fallback: string | undefined) => {
    const value = values[name];
    if (value !== undefined && value.trim() !== '') return value;
    // {company|your company}: the fallback as written, without the spaces around it
    if (fallback !== undefined) return fallback.trim();
    missing.push(name);
    return '';
  });
  return { text: rendered, missing };
}

/** A template variable a flow step uses with no fallback, by node and config field. */
export interface TemplateVariableWithoutFallback {
  nodeId: string;
  field: string;
  variable: string;
}

/**
 * Turns "how often is this variable empty for the customers the flow targets" into warnings the
 * editor badges on the node and field: a variable empty for more than `threshold` of them (and
 * without a fallback) would render as nothing, e.g. "help with {company}?" → "help with ?".
 * `share(variable)` is the empty share 0..1, or undefined when it cannot be known (event.*).
 */
export function oftenEmptyVariableWarnings(
  uses: readonly TemplateVariableWithoutFallback[],
  share: (variable: string) => { empty: number; total: number } | undefined,
  threshold = 0.2,
): { nodeId: string; field: string; code: string; message: string; variable: string; emptyShare: number }[] {
  const out = [];
  for (const u of uses) {
    const s = share(u.variable);
    if (!s || s.total === 0 || s.empty / s.total <= threshold) continue;
    const pct = Math.round((100 * s.empty) / s.total);
    out.push({
      nodeId: u.nodeId,
      field: u.field,
      code: 'template.often_empty',
      variable: u.variable,
      emptyShare: s.empty / s.total,
      message: `{${u.variable}} is empty for ${pct} % of the customers this flow targets (${s.empty} of ${s.total}) and would render as nothing; give a fallback such as {${u.variable}|…}.`,
    });
  }
  return out;
}
