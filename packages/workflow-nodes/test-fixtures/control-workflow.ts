/** A workflow that uses the control entry point the way the interpreter does; bundled by control-bundle.test.ts. */
import { sleep } from '@temporalio/workflow';
import { controlNode, executionPlanSchema } from '@nudge/workflow-nodes/control';

export async function controlProbe(planJson: unknown, customerId: string): Promise<string[]> {
  const plan = executionPlanSchema.parse(planJson);
  const ports: string[] = [];
  for (const [nodeId, node] of Object.entries(plan.nodes)) {
    const def = controlNode(node.key);
    if (!def) continue;
    const decision = def.decide(def.config.parse(node.config), {
      nowMs: Date.now(),
      runId: 'probe',
      nodeId,
      customerId,
      customer: { timezone: 'Asia/Taipei', preferredContactSlots: [] },
      defaultTimezone: 'UTC',
    });
    if (decision.type === 'sleep') await sleep(Math.max(0, decision.untilMs - Date.now()));
    ports.push(decision.type);
  }
  return ports;
}
