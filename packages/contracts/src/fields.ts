/** GET /api/fields: the customer field registry as the editor's forms and tables read it. */
import { z } from 'zod';

export const FieldLabels = z.object({ en: z.string(), 'zh-Hant': z.string(), 'zh-Hans': z.string(), es: z.string() });
export const FieldOut = z
  .object({
    name: z.string().describe("The API's name (camelCase), used by segments, flow conditions, the import and the export"),
    column: z.string(),
    type: z.enum(['text', 'enum', 'number', 'boolean', 'datetime', 'date', 'uuid', 'array', 'json']),
    values: z.array(z.string()).nullable(),
    format: z.string().nullable(),
    labels: FieldLabels,
    writable: z.boolean(),
    segment: z.boolean(),
    condition: z.boolean(),
    template: z.string().nullable().describe('Placeholder name in message templates ({name})'),
    export: z.boolean(),
    masked: z.enum(['phone', 'email']).nullable().describe('Masked for users without the contact.unmask right'),
    import: z.object({ aliases: z.array(z.string()), required: z.boolean() }).nullable(),
    notAbove: z.string().nullable(),
  })
  .meta({ id: 'CustomerField' });
export const FieldsOut = z.object({
  fields: z.array(FieldOut),
  custom: z.array(z.object({ key: z.string(), label: z.string(), type: z.string(), options: z.array(z.string()).nullable() })),
});

export type FieldLabels = z.infer<typeof FieldLabels>;
export type FieldOut = z.infer<typeof FieldOut>;
