import { z } from 'zod';
import { defineNode } from '../../define.js';
import { bucketOf } from '../../hash.js';
import { t } from '../../i18n.js';
import { said } from '../../graph/messages.js';

const variantSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]{1,32}$/, said('variant_id_format', 'Use lower-case letters, digits or _ for a variant id')),
  label: z.string().min(1, said('name_variant', 'Name this variant')),
  percent: z.int().min(0).max(100),
});

/**
 * The variant for a seed: buckets 0–9999 are cut in the variants' order by their percentages.
 * Pure and stable, so a replayed workflow or a re-enrolled customer lands in the same variant.
 */
export function pickVariant<V extends { id: string; percent: number }>(variants: readonly V[], seed: string): V {
  const bucket = bucketOf(seed);
  let upper = 0;
  for (const v of variants) {
    upper += v.percent * 100;
    if (bucket < upper) return v;
  }
  return variants[variants.length - 1]!;
}

export const abSplitControl = defineNode({
  type: 'control.ab_split',
  version: 1,
  kind: 'control',
  category: 'branching',
  icon: 'split-square-horizontal',
  label: t('A/B split', 'A/B 分流', 'A/B 分流', 'División A/B'),
  description: t(
    'Splits customers at random between variants by percentage; a customer always gets the same variant.',
    '依百分比將客戶隨機分配到各版本；同一客戶總是分到同一版本。',
    '按百分比将客户随机分配到各版本；同一客户总是分到同一版本。',
    'Reparte a los clientes al azar entre variantes según porcentajes; un cliente siempre recibe la misma variante.',
  ),
  inputs: ['in'],
  outputs: [],
  dynamicOutputs: { fromField: 'variants', idKey: 'id', labelKey: 'label' },
  config: z.object({
    variants: z
      .array(variantSchema)
      .min(2, said('add_two_variants', 'Add at least two variants'))
      .max(10)
      .superRefine((variants, ctx) => {
        const total = variants.reduce((sum, v) => sum + v.percent, 0);
        if (total !== 100) ctx.addIssue({ code: 'custom', message: `The percentages add up to ${total}; they must add up to 100`, params: { reason: 'percent_sum', total } });
        const seen = new Set<string>();
        variants.forEach((v, i) => {
          if (seen.has(v.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `Variant id "${v.id}" is used twice`, params: { reason: 'variant_id_twice', id: v.id } });
          seen.add(v.id);
        });
      }),
  }),
  defaults: {
    variants: [
      { id: 'a', label: 'A', percent: 50 },
      { id: 'b', label: 'B', percent: 50 },
    ],
  },
  waits: false,
  decide(cfg, state) {
    return { type: 'next', port: pickVariant(cfg.variants, `${state.customerId}:${state.nodeId}`).id };
  },
});
