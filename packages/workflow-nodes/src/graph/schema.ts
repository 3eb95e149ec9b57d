/**
 * The flow graph exactly as the editor saves it (React Flow's own node and edge shape), and the
 * validation problem the server answers with. The one graph schema: the editor parses flows with
 * it, the server checks drafts with it, the validator and compiler judge it. Imports only zod.
 */
import { z } from 'zod';

export const graphNodeSchema = z.looseObject({
  id: z.string().min(1, 'Every node needs an id').max(200),
  /** "nudge" for flow steps; other types (notes, groups) are canvas decoration and ignored */
  type: z.string().max(100).default('nudge'),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  data: z.looseObject({
    nodeType: z.string().min(1, 'The node does not say which step it is'),
    config: z.record(z.string(), z.unknown()).default({}),
    label: z.string().optional(),
  }),
});

export const graphEdgeSchema = z.looseObject({
  id: z.string().min(1).max(400),
  source: z.string().min(1),
  /** the output port; absent: the source's only port */
  sourceHandle: z.string().nullish(),
  target: z.string().min(1),
  targetHandle: z.string().nullish(),
});

export const MAX_GRAPH_NODES = 2000;
export const MAX_GRAPH_EDGES = 5000;

export const flowGraphSchema = z.object({
  nodes: z.array(graphNodeSchema).max(MAX_GRAPH_NODES, 'a flow has at most 2,000 nodes'),
  edges: z.array(graphEdgeSchema).max(MAX_GRAPH_EDGES, 'a flow has at most 5,000 edges').default([]),
});

export type FlowGraph = z.input<typeof flowGraphSchema>;
export type ParsedFlowGraph = z.output<typeof flowGraphSchema>;
export type GraphNode = z.output<typeof graphNodeSchema>;
export type GraphEdge = z.output<typeof graphEdgeSchema>;

/** A validation problem, tied to what the editor can badge. */
export const flowProblemSchema = z.object({
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  /** output port id, for port problems */
  port: z.string().optional(),
  /** dotted path into the node's config */
  field: z.string().optional(),
  code: z.string(),
  /** English text, for API clients. */
  message: z.string(),
  /**
   * What exactly is wrong, for the editor to word in the reader's language: one of zod's issue
   * codes (too_small, invalid_type…) or a node's own reason (see NODE_REASONS), with `params`.
   */
  reason: z.string().optional(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type FlowProblem = z.infer<typeof flowProblemSchema>;
