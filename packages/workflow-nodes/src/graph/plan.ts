/**
 * The execution plan: what a published flow version stores and what the interpreter workflow
 * walks. Immutable once compiled; validated by zod wherever it crosses a boundary.
 * Imports only zod: the workflow sandbox loads this file.
 */
import { z } from 'zod';
import { eventFilterSchema } from '../events.js';

export const retryPolicySchema = z.object({
  maximumAttempts: z.int().min(1),
  initialIntervalMs: z.int().min(0),
  backoffCoefficient: z.number().min(1),
});

const nodeKeyPattern = /^[a-z][a-z0-9_]*\.[a-z0-9_]+@\d+$/;

export const planNodeSchema = z.object({
  key: z.string().regex(nodeKeyPattern),
  kind: z.enum(['condition', 'action', 'control']),
  label: z.string().optional(),
  /** parsed config: defaults filled in */
  config: z.record(z.string(), z.unknown()),
  /** output port → next node id; null = the run ends there */
  next: z.record(z.string(), z.string().nullable()),
  retry: retryPolicySchema,
  /** start-to-close timeout per attempt for activities; 0 for control nodes */
  timeoutMs: z.int().min(0),
  /** what the step touches (the node's declaration); absent in plans compiled before nodes declared it */
  effects: z.enum(['external', 'database', 'none']).optional(),
  /** the sending window (quiet hours, frequency cap) holds the step back */
  sendingWindow: z.boolean().optional(),
});

export const executionPlanSchema = z
  .object({
    planVersion: z.literal(1),
    trigger: z.object({
      nodeId: z.string(),
      key: z.string().regex(nodeKeyPattern),
      config: z.record(z.string(), z.unknown()),
    }),
    startNodeId: z.string().nullable(),
    /** flow-wide exit criteria: when one matches, the run leaves the flow as converted */
    goals: z.array(z.object({ nodeId: z.string(), name: z.string(), filter: eventFilterSchema })),
    nodes: z.record(z.string(), planNodeSchema),
  })
  .superRefine((plan, ctx) => {
    if (plan.startNodeId !== null && !(plan.startNodeId in plan.nodes)) {
      ctx.addIssue({ code: 'custom', path: ['startNodeId'], message: `Start node ${plan.startNodeId} is not in the plan` });
    }
    for (const [id, node] of Object.entries(plan.nodes)) {
      for (const [port, target] of Object.entries(node.next)) {
        if (target !== null && !(target in plan.nodes)) {
          ctx.addIssue({ code: 'custom', path: ['nodes', id, 'next', port], message: `Node ${target} is not in the plan` });
        }
      }
    }
  });

export type ExecutionPlan = z.output<typeof executionPlanSchema>;
export type PlanNode = z.output<typeof planNodeSchema>;

/** What a plan node's step touches (zod-free, so it lives in the sandbox entry). */
export { stepEffects } from '../sandbox.js';
