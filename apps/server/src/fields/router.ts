/**
 * GET /api/fields: the customer field registry (@nudge/db/fields) for the editor's forms and
 * tables — API name, type, enum values, what uses the field, import header aliases — with each
 * field's label in the four UI languages (from the editor's locale files, `fields.<name>`) and
 * the defined custom fields.
 */
import { asc } from 'drizzle-orm';
import { FieldsOut, type FieldLabels, type FieldOut } from '@nudge/contracts';
import { customerFields, schema, type FieldRegistry } from '@nudge/db';
import type { AppContext } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { hiddenCustomFields } from '../customers/access.js';
import en from '../../../editor/src/i18n/locales/en.json' with { type: 'json' };
import zhHant from '../../../editor/src/i18n/locales/zh-TW.json' with { type: 'json' };
import zhHans from '../../../editor/src/i18n/locales/zh-CN.json' with { type: 'json' };
import es from '../../../editor/src/i18n/locales/es.json' with { type: 'json' };

export const LOCALES = { en, 'zh-Hant': zhHant, 'zh-Hans': zhHans, es } as const;
export type FieldLocale = keyof typeof LOCALES;

/** A field's label in each language (the API name where a locale lacks it). */
export function labelsOf(name: string): FieldLabels {
  return Object.fromEntries(
    Object.entries(LOCALES).map(([lng, file]) => [lng, (file.fields as Record<string, string>)[name] ?? name]),
  ) as FieldLabels;
}

export function describeFields(registry: FieldRegistry = customerFields): FieldOut[] {
  return registry.api.map((f) => ({
    name: f.name,
    column: f.column,
    type: f.type,
    values: f.values ? [...f.values] : null,
    format: f.format ?? null,
    labels: labelsOf(f.name),
    writable: f.writable,
    segment: f.segment,
    condition: f.condition,
    template: f.template ?? null,
    export: f.export,
    masked: f.mask ?? null,
    import: f.import ? { aliases: [...f.import.aliases], required: f.import.required ?? false } : null,
    notAbove: f.notAbove ?? null,
  }));
}

export function createFieldsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/fields', 'Fields');
  const fields = describeFields();
  route({
    method: 'get',
    path: '/',
    summary: 'The customer fields (one registry for segments, flow conditions, templates, import, export, masking) and the custom fields',
    response: FieldsOut,
    handler: async ({ user }) => {
      const defs = await ctx.db.db.select().from(schema.customFieldDefinitions).orderBy(asc(schema.customFieldDefinitions.key));
      const hidden = hiddenCustomFields(user, new Map(defs.flatMap((d) => (d.requiredRight ? [[d.key, d.requiredRight] as const] : []))));
      const custom = defs.filter((d) => !hidden.has(d.key)).map((d) => ({ key: d.key, label: d.label, type: d.type, options: d.options ?? null }));
      return { fields, custom };
    },
  });
  return router;
}
