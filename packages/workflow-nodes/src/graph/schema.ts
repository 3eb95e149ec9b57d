/** The flow graph exactly as the editor saves it (React Flow's own node and edge shape). */
import { z } from 'zod';

export const graphNodeSchema = z.looseObject({
  id: z.string().min(1, 'Every node needs an id'),
  /** "nudge" for flow steps; other types (notes, groups) are canvas decoration and ignored */
  type: z.string().default('nudge'),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  data: z.looseObject({
    nodeType: z.string().min(1, 'The node does not say which step it is'),
    config: z.record(z.string(), z.unknown()).default({}),
    label: z.string().optional(),
  }),
});

export const graphEdgeSchema = z.looseObject({
  id: z.string().min(1),
  source: z.string().min(1),
  sourceHandle: z.string().nullish(),
  target: z.string().min(1),
  targetHandle: z.string().nullish(),
});

export const flowGraphSchema = z.object({
  nodes: z.array(graphNodeSchema),
  edges: z.array(graphEdgeSchema).default([]),
});

export type FlowGraph = z.input<typeof flowGraphSchema>;
export type ParsedFlowGraph = z.output<typeof flowGraphSchema>;
export type GraphNode = z.output<typeof graphNodeSchema>;
export type GraphEdge = z.output<typeof graphEdgeSchema>;

/** A validation problem, tied to what the editor can badge. */
export interface FlowProblem {
  nodeId?: string;
  edgeId?: string;
  /** output port id, for port problems */
  port?: string;
  /** dotted path into the node's config */
  field?: string;
  code: string;
  message: string;
}
