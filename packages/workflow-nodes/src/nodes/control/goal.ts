import { z } from 'zod';
import { channelSchema } from '../../customer.js';
import { defineNode } from '../../define.js';
import { t } from '../../i18n.js';
import { said } from '../../graph/messages.js';

export const goalEvents = ['message.received', 'order.created', 'tag.added', 'link.clicked'] as const;

/**
 * A goal is an exit criterion for the whole run: from the moment the run starts, when the event
 * happens the customer leaves the flow (counted as converted). A goal node needs no incoming edge;
 * a path that leads into it also ends the run as converted.
 */
export const goalControl = defineNode({
  type: 'control.goal',
  version: 1,
  kind: 'control',
  category: 'flow',
  icon: 'trophy',
  label: t('Goal', '目標', '目标', 'Objetivo'),
  description: t(
    'Ends the flow for a customer as soon as the goal is met, wherever they are in it, e.g. when they reply or buy.',
    '一旦達成目標（例如客戶回覆或購買），無論客戶在流程何處，都立即結束流程。',
    '一旦达成目标（例如客户回复或购买），无论客户在流程何处，都立即结束流程。',
    'Termina el flujo para el cliente en cuanto se cumple el objetivo, esté donde esté, p. ej. cuando responde o compra.',
  ),
  inputs: ['in'],
  outputs: [],
  config: z.object({
    name: z.string().min(1, said('name_goal', 'Name the goal, e.g. "Replied" or "Bought"')).max(100),
    event: z.enum(goalEvents).default('order.created'),
    channel: z.union([channelSchema, z.literal('any')]).default('any'),
    /** tag.added: the tag that means success, e.g. "customer" */
    tag: z.string().default(''),
  }).refine((c) => c.event !== 'tag.added' || c.tag !== '', { path: ['tag'], message: 'Pick the tag that means the goal is met', params: { reason: 'pick_goal_tag' } }),
  defaults: { name: 'Bought', event: 'order.created', channel: 'any', tag: '' },
  ui: { tag: { widget: 'tags' } },
  waits: false,
  decide(cfg) {
    return { type: 'exit', reason: 'goal', note: cfg.name };
  },
});

/** The event filter the interpreter watches for this goal during the whole run. */
export const goalFilter = (cfg: z.output<typeof goalControl.config>) => ({
  event: cfg.event,
  channel: cfg.channel,
  tag: cfg.tag,
  keywords: [] as string[],
});
