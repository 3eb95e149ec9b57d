// The answers of the Nudge HTTP API as the editor reads them: the very schemas the server
// validates and documents with (@nudge/contracts) and the flow graph, problem and manifest shapes
// of @nudge/workflow-nodes/graph. Nothing is re-declared here. zod objects strip keys they do not
// know, so a server that adds data never breaks the editor.
import type { z } from 'zod';
import {
  EnrollPreviewOut,
  FlowListOut,
  FlowOut,
  FlowProblem,
  FlowSummaryOut,
  LoginOut,
  NodeCountsOut,
  FlowWarning,
  ValidationOut,
  RunDetailOut,
  RunListOut,
  RunSummaryOut,
  StepOut,
  TestRunOut,
  UserOut,
  VersionDetailOut,
  VersionListOut,
  VersionOut,
} from '@nudge/contracts';
import {
  flowGraphSchema,
  localizedSchema,
  manifestCategorySchema,
  manifestNodeSchema,
  nodeManifestSchema,
  type GraphEdge as SharedGraphEdge,
  type GraphNode as SharedGraphNode,
  type ParsedFlowGraph,
} from '@nudge/workflow-nodes/graph';

export const localized = localizedSchema;
export type Localized = z.infer<typeof localized>;

export const user = UserOut;
export type User = z.infer<typeof user>;
export const loginResponse = LoginOut;

// ---- node manifest (GET /api/nodes) ----------------------------------------------------------
export const manifestNode = manifestNodeSchema;
export type ManifestNode = z.infer<typeof manifestNode>;
export const manifestCategory = manifestCategorySchema;
export type ManifestCategory = z.infer<typeof manifestCategory>;
export const manifest = nodeManifestSchema;
export type Manifest = z.infer<typeof manifest>;

// ---- flows --------------------------------------------------------------------------------------
export const flowGraph = flowGraphSchema;
export type FlowGraph = ParsedFlowGraph;
export type GraphNode = SharedGraphNode;
export type GraphEdge = SharedGraphEdge;

export const flowSummary = FlowSummaryOut;
export type FlowSummary = z.infer<typeof flowSummary>;
export const flowList = FlowListOut;
export const flowDetail = FlowOut;
export type FlowDetail = z.infer<typeof flowDetail>;

export const problem = FlowProblem;
export type Problem = z.infer<typeof problem>;
/** problems block publishing; warnings (e.g. template.often_empty) do not */
export const problems = ValidationOut;
export const flowWarning = FlowWarning;
export type FlowWarning = z.infer<typeof flowWarning>;

export const flowVersion = VersionOut;
export type FlowVersion = z.infer<typeof flowVersion>;
export const versionList = VersionListOut;
export const versionDetail = VersionDetailOut;

export const testRunResult = TestRunOut;
export type TestRunResult = z.infer<typeof testRunResult>;

export const runStep = StepOut;
export type RunStep = z.infer<typeof runStep>;
export const runSummary = RunSummaryOut;
export type RunSummary = z.infer<typeof runSummary>;
export const runList = RunListOut;
export const runDetail = RunDetailOut;
export type RunDetail = z.infer<typeof runDetail>;
export const nodeCounts = NodeCountsOut;
export type NodeCounts = z.infer<typeof nodeCounts>;

/** How many customers a publish / resume would enroll at once (GET /flows/:id/enroll-preview). */
export const enrollPreview = EnrollPreviewOut;
export type EnrollPreview = z.infer<typeof enrollPreview>;
export type EnrollChoice = NonNullable<FlowDetail['enrolls']>['mode'];
