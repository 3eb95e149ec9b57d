import { z } from 'zod';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { nextPort } from '../shared.js';
import { said } from '../../graph/messages.js';

export const startFlowAction = defineNode({
  type: 'action.start_flow',
  version: 1,
  kind: 'action',
  effects: 'external',
  category: 'flows',
  icon: 'workflow',
  label: t('Start another flow', '啟動其他流程', '启动其他流程', 'Iniciar otro flujo'),
  description: t(
    'Enrolls the customer in another published flow; this flow goes on at once.',
    '讓客戶進入另一個已發布的流程；本流程立即繼續。',
    '让客户进入另一个已发布的流程；本流程立即继续。',
    'Inscribe al cliente en otro flujo publicado; este flujo sigue de inmediato.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config: z.object({ flowId: z.string().min(1, said('pick_flow', 'Pick the flow to start')) }),
  defaults: {},
  ui: { flowId: { widget: 'flow' } },
  async run(ctx, cfg) {
    // the key makes a retried step find the run it already started instead of starting a second one
    const { runId } = await ctx.flows.start(cfg.flowId, ctx.run.customerId, {
      enrollmentKey: `from:${ctx.run.idempotencyKey}`,
    });
    return runId
      ? { port: 'next', output: { flowId: cfg.flowId, runId } }
      : { port: 'next', status: 'skipped', output: { flowId: cfg.flowId, reason: 'not enrolled (rules or suppression)' } };
  },
});
