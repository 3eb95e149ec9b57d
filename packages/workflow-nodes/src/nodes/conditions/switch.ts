import { z } from 'zod';
import { conditionSchema } from '../../condition.js';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { evaluateForCustomer, loadCustomer } from '../shared.js';
import { said } from '../../graph/messages.js';

const caseSchema = z.object({
  id: z.string().regex(/^[a-z0-9_]{1,32}$/, said('branch_id_format', 'Use lower-case letters, digits or _ for a branch id')),
  label: z.string().min(1, said('name_branch', 'Name this branch')),
  condition: conditionSchema,
});

export const switchCondition = defineNode({
  type: 'condition.switch',
  version: 1,
  kind: 'condition',
  effects: 'database',
  category: 'conditions',
  icon: 'git-fork',
  label: t('Switch', '多路分支', '多路分支', 'Selector'),
  description: t(
    'Sends the customer down the first branch whose condition holds, or “otherwise” when none does.',
    '讓客戶走第一個條件成立的分支；都不成立時走「其他」。',
    '让客户走第一个条件成立的分支；都不成立时走“其他”。',
    'Envía al cliente por la primera rama cuya condición se cumpla, o por «en otro caso» si ninguna se cumple.',
  ),
  inputs: ['in'],
  outputs: [{ id: 'default', label: t('Otherwise', '其他', '其他', 'En otro caso') }],
  dynamicOutputs: { fromField: 'cases', idKey: 'id', labelKey: 'label' },
  config: z.object({
    cases: z
      .array(caseSchema)
      .min(1, said('add_branch', 'Add at least one branch'))
      .max(20)
      .superRefine((cases, ctx) => {
        const seen = new Set<string>();
        cases.forEach((c, i) => {
          if (c.id === 'default') {
            ctx.addIssue({ code: 'custom', path: [i, 'id'], message: '"default" is reserved for the otherwise branch', params: { reason: 'branch_id_reserved' } });
          }
          if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `Branch id "${c.id}" is used twice`, params: { reason: 'branch_id_twice', id: c.id } });
          seen.add(c.id);
        });
      }),
  }),
  defaults: {
    cases: [
      { id: 'tier_a', label: 'Tier A', condition: { type: 'field', field: 'tier', operator: 'eq', value: 'A' } },
      { id: 'tier_b', label: 'Tier B', condition: { type: 'field', field: 'tier', operator: 'eq', value: 'B' } },
    ],
  },
  async run(ctx, config) {
    const customer = await loadCustomer(ctx);
    const results = await evaluateForCustomer(
      ctx,
      customer,
      config.cases.map((c) => c.condition),
    );
    const index = results.indexOf(true);
    const port = index === -1 ? 'default' : config.cases[index]!.id;
    return { port, output: { branch: port } };
  },
});
