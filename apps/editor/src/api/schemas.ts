// Response schemas for the Nudge HTTP API. Deliberately tolerant of extra fields (zod objects
// strip them) and of optional ones, so a server that adds data never breaks the editor.
import { z } from 'zod';

export const localized = z.record(z.string(), z.string());
export type Localized = z.infer<typeof localized>;

export const user = z.object({ id: z.union([z.string(), z.number()]).transform(String), name: z.string(), email: z.string(), role: z.string() });
export type User = z.infer<typeof user>;
export const loginResponse = z.object({ token: z.string(), user });

// ---- node manifest -------------------------------------------------------------------------
export const manifestPort = z.object({ id: z.string(), label: localized.optional() });
export const manifestNode = z.object({
  key: z.string(),
  type: z.string(),
  version: z.number().optional(),
  kind: z.enum(['trigger', 'condition', 'action', 'control']),
  category: z.string().default('other'),
  icon: z.string().optional(),
  label: localized,
  description: localized.optional(),
  inputs: z.array(z.string()).default(['in']),
  outputs: z.array(manifestPort).default([]),
  configSchema: z.record(z.string(), z.unknown()).default({}),
  defaults: z.record(z.string(), z.unknown()).default({}),
  ui: z.record(z.string(), z.object({ widget: z.string() }).loose()).optional(),
  dynamicOutputs: z.object({ fromField: z.string(), idKey: z.string(), labelKey: z.string() }).optional(),
});
export type ManifestNode = z.infer<typeof manifestNode>;
export const manifestCategory = z.object({ id: z.string(), label: localized });
export type ManifestCategory = z.infer<typeof manifestCategory>;
export const manifest = z.object({ version: z.number(), categories: z.array(manifestCategory).default([]), nodes: z.array(manifestNode) });
export type Manifest = z.infer<typeof manifest>;

// ---- flows ----------------------------------------------------------------------------------
export const graphNode = z.object({
  id: z.string(),
  type: z.string().default('nudge'),
  position: z.object({ x: z.number(), y: z.number() }),
  data: z.object({
    nodeType: z.string(),
    config: z.record(z.string(), z.unknown()).default({}),
    label: z.string().optional(),
  }),
});
export const graphEdge = z.object({
  id: z.string(),
  source: z.string(),
  sourceHandle: z.string().nullish().transform((v) => v ?? 'next'),
  target: z.string(),
  targetHandle: z.string().nullish().transform((v) => v ?? 'in'),
});
export const flowGraph = z.object({ nodes: z.array(graphNode).default([]), edges: z.array(graphEdge).default([]) });
export type FlowGraph = z.infer<typeof flowGraph>;
export type GraphNode = z.infer<typeof graphNode>;
export type GraphEdge = z.infer<typeof graphEdge>;

const id = z.union([z.string(), z.number()]).transform(String);
const date = z.union([z.string(), z.number()]).nullish();

export const flowSummary = z.object({
  id,
  name: z.string(),
  status: z.string().default('draft'),
  description: z.string().nullish(),
  currentVersion: z.number().nullish(),
  updatedAt: date,
  createdAt: date,
});
export type FlowSummary = z.infer<typeof flowSummary>;
export const flowList = z.union([
  z.array(flowSummary).transform((items) => ({ items })),
  z.object({ items: z.array(flowSummary) }),
  z.object({ flows: z.array(flowSummary) }).transform((v) => ({ items: v.flows })),
]);
export const flowDetail = flowSummary.extend({
  hasUnpublishedChanges: z.boolean().optional(),
  /** whom the published flow enrolls: customers already matching too, or only those entering since `since` */
  enrolls: z.object({ mode: z.enum(['existing', 'new']), since: z.string().nullish() }).nullish(),
  graph: flowGraph.nullish().transform((g) => g ?? { nodes: [], edges: [] }),
});
export type FlowDetail = z.infer<typeof flowDetail>;

export const problem = z.object({
  nodeId: z.string().nullish(),
  edgeId: z.string().nullish(),
  port: z.string().nullish(),
  field: z.string().nullish(),
  code: z.string(),
  message: z.string(),
});
export type Problem = z.infer<typeof problem>;
export const problems = z.object({ problems: z.array(problem) });

export const flowVersion = z.object({
  id: id.optional(),
  version: z.number(),
  note: z.string().nullish(),
  publishedAt: date,
  createdAt: date,
  publishedBy: z.unknown().optional(),
});
export type FlowVersion = z.infer<typeof flowVersion>;
export const versionList = z.union([
  z.array(flowVersion).transform((items) => ({ items })),
  z.object({ items: z.array(flowVersion) }),
  z.object({ versions: z.array(flowVersion) }).transform((v) => ({ items: v.versions })),
]);

export const testRunResult = z.object({
  outcome: z.string().optional(),
  path: z.array(z.object({ nodeId: z.string(), status: z.string().optional(), output: z.unknown().optional(), port: z.string().nullish(), error: z.string().nullish(), at: z.string().nullish() })),
  actions: z.array(z.unknown()).default([]),
});
export type TestRunResult = z.infer<typeof testRunResult>;

export const runStep = z.object({
  id,
  nodeId: z.string(),
  nodeType: z.string().nullish(),
  status: z.string(),
  startedAt: date,
  finishedAt: date,
  error: z.unknown().optional(),
  attempt: z.number().nullish(),
  port: z.string().nullish(),
  output: z.unknown().optional(),
});
export type RunStep = z.infer<typeof runStep>;
export const runSummary = z.object({
  id,
  flowId: id.optional(),
  version: z.number().nullish(),
  customerId: id.nullish(),
  customerName: z.string().nullish(),
  flowName: z.string().nullish(),
  isTest: z.boolean().optional(),
  status: z.string(),
  startedAt: date,
  finishedAt: date,
  currentNodeId: z.string().nullish(),
  error: z.unknown().optional(),
});
export type RunSummary = z.infer<typeof runSummary>;
export const runList = z.object({ items: z.array(runSummary), total: z.number().optional(), page: z.number().optional(), pageSize: z.number().optional() });
export const runDetail = runSummary.extend({
  steps: z.array(runStep).default([]),
  graph: flowGraph.nullish(),
});
export type RunDetail = z.infer<typeof runDetail>;
export const nodeCounts = z.record(
  z.string(),
  z.object({ waiting: z.number().default(0), running: z.number().default(0), done: z.number().default(0), failed: z.number().default(0) }),
);
export type NodeCounts = z.infer<typeof nodeCounts>;

export const ok = z.unknown();

/** How many customers a publish / resume would enroll at once (GET /flows/:id/enroll-preview). */
export const enrollPreview = z.object({ asks: z.boolean(), trigger: z.string().nullish(), segmentId: z.string().nullish(), matchingNow: z.number().nullish() });
export type EnrollPreview = z.infer<typeof enrollPreview>;
export type EnrollChoice = 'existing' | 'new';
