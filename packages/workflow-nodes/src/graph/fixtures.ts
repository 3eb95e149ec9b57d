/** Graph builders for tests: the example flow of issue 4 in the editor's saved shape. */
import type { FlowGraph } from './schema.js';

type Node = FlowGraph['nodes'][number];
type Edge = NonNullable<FlowGraph['edges']>[number];

export const step = (id: string, nodeType: string, config: Record<string, unknown> = {}, label?: string): Node => ({
  id,
  type: 'nudge',
  position: { x: 0, y: 0 },
  data: { nodeType, config, ...(label ? { label } : {}) },
});

export const edge = (source: string, sourceHandle: string, target: string): Edge => ({
  id: `${source}-${sourceHandle}-${target}`,
  source,
  sourceHandle,
  target,
  targetHandle: 'in',
});

/** Tag = potential AND no follow-up for 30 days → email → wait 3 days for a reply → no reply: call task. */
export function followUpFlow(): { nodes: Node[]; edges: Edge[] } {
  return {
    nodes: [
      step('trigger', 'trigger.segment_entry@1', { segmentId: 'seg-potential-30d' }, 'Potential, no follow-up 30 days'),
      step('email', 'action.send_message@1', { channel: 'email', subject: 'Hi {name}', body: '{owner} here — still interested in {last_product}?' }),
      step('wait', 'control.wait_for_event@1', { event: 'message.received', timeout: { amount: 3, unit: 'days' } }, 'Replied within 3 days?'),
      step('task', 'action.create_task@1', { title: 'Call {name}', taskType: 'call', dueIn: { amount: 24, unit: 'hours' } }),
      step('done', 'control.end@1'),
      step('bought', 'control.goal@1', { name: 'Bought', event: 'order.created' }),
    ],
    edges: [edge('trigger', 'next', 'email'), edge('email', 'next', 'wait'), edge('wait', 'timeout', 'task'), edge('wait', 'replied', 'done')],
  };
}
