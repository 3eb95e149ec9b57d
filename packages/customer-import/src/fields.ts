/**
 * The customer fields a CSV column can be mapped to: the customer field registry's importable
 * fields (@nudge/db/fields, API names, with their header words in English, Traditional and
 * Simplified Chinese, Spanish) plus `tags` and `notes`, which are not customer columns. Anything
 * else maps to a custom field (`custom:<key>`) or is ignored on purpose (`ignore`): an unmapped
 * column is never dropped silently.
 */
import { customerFields, type FieldRegistry } from '@nudge/db/fields';

export type ImportField = string;

export interface ImportTarget {
  name: ImportField;
  aliases: readonly string[];
  required: boolean;
}

/** Import targets that are not customer columns. */
export const EXTRA_IMPORT_TARGETS: readonly ImportTarget[] = [
  { name: 'tags', required: false, aliases: ['tags', 'tag', 'labels', 'label', '标签', '標籤', '標簽', 'etiquetas', 'etiqueta'] },
  {
    name: 'notes',
    required: false,
    aliases: ['notes', 'note', 'comments', 'comment', 'remarks', 'memo', '备注', '備註', '备忘', '說明', '说明', 'notas', 'nota', 'comentarios', 'observaciones'],
  },
];

/** Earlier names of import targets, still accepted in a mapping override. */
export const LEGACY_TARGETS: Readonly<Record<string, string>> = {
  name: 'fullName',
  whatsapp: 'whatsappId',
  products: 'productsOfInterest',
  owner: 'ownerId',
};

export function importTargets(fields: FieldRegistry = customerFields): ImportTarget[] {
  return [
    ...fields.importable.map((f) => ({ name: f.name, aliases: f.import!.aliases, required: f.import!.required ?? false })),
    ...EXTRA_IMPORT_TARGETS,
  ];
}

/** The target names of the real customer table, in order. */
export const IMPORT_FIELDS: readonly ImportField[] = importTargets().map((t) => t.name);
