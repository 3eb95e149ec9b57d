/**
 * The HTTP shapes of the flow lifecycle and ops API, as zod schemas: the server validates
 * requests and documents answers (OpenAPI) with them; the editor parses the answers with them.
 */
import { z } from 'zod';
import { flowEventTypes, flowGraphSchema, flowProblemSchema, frequencyCapSchema, quietHoursSchema } from '@nudge/workflow-nodes/graph';

export const FLOW_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'cancelled'] as const;
/** unknown: a send whose outcome is not known yet (its process died mid-send); the ledger settles it and the run goes on */
export const STEP_STATUSES = ['pending', 'running', 'waiting', 'unknown', 'done', 'failed', 'skipped'] as const;

export const FlowIdParams = z.object({ id: z.uuid('a flow id is a UUID') });
export const RunIdParams = z.object({ id: z.uuid('a run id is a UUID') });
export const StepParams = z.object({ id: z.uuid('a run id is a UUID'), stepId: z.uuid('a step id is a UUID') });
export const VersionParams = z.object({
  id: z.uuid('a flow id is a UUID'),
  version: z.coerce.number().int().min(1, 'versions start at 1'),
});

/**
 * The draft graph as the editor saves it (React Flow's nodes and edges): workflow-nodes' graph
 * schema. Only the structure is checked here: a draft may be unfinished; `validate` and
 * `publish` judge its content.
 */
export const DraftGraph = flowGraphSchema.meta({ id: 'FlowGraph' });
export type DraftGraph = z.infer<typeof DraftGraph>;

/** once: a customer enters at most once, ever; again_after_days: again N days after their last run started. */
export const Enrollment = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('once') }),
    z.object({ mode: z.literal('again_after_days'), days: z.int().min(1, 'at least 1 day').max(3650, 'at most 3,650 days') }),
  ])
  .meta({ id: 'FlowEnrollment' });
/** Flow-wide sending rules for every send_message step: quiet hours (customer's local time) and a frequency cap. */
export const Sending = z
  .object({ quietHours: quietHoursSchema.nullable().optional(), frequencyCap: frequencyCapSchema.nullable().optional() })
  .meta({ id: 'FlowSending' });

const name = z.string().trim().min(1, 'give the flow a name').max(200);
const description = z.string().trim().max(2000).nullable();

export const FlowCreate = z.object({
  name,
  description: description.optional(),
  graph: DraftGraph.optional(),
  enrollment: Enrollment.optional(),
  sending: Sending.optional(),
});
export const FlowUpdate = z
  .object({
    name: name.optional(),
    description: description.optional(),
    graph: DraftGraph.optional(),
    enrollment: Enrollment.optional(),
    sending: Sending.optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'send at least one of name, description, graph, enrollment or sending',
  });

export const SuppressionParams = z.object({ id: z.uuid('a flow id is a UUID'), customerId: z.uuid('a customer id is a UUID') });
export const GlobalSuppressionParams = z.object({ customerId: z.uuid('a customer id is a UUID') });
export const SuppressionAdd = z.object({
  customerIds: z.array(z.uuid('customer ids are UUIDs')).min(1, 'name at least one customer').max(1000, 'at most 1,000 customers at a time'),
  reason: z.string().trim().max(500).optional(),
});
export const SuppressionListOut = z.object({
  items: z.array(
    z.object({
      customerId: z.string(),
      customerName: z.string(),
      reason: z.string().nullable(),
      createdBy: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
});

export const FlowListQuery = z.object({
  status: z.enum(FLOW_STATUSES).optional(),
  q: z.string().trim().max(200).optional(),
});

/** Whom a publish / resume enrolls among the customers its segment trigger matches now. */
export const EnrollChoiceField = z
  .enum(['existing', 'new'], { error: 'enroll is "existing" (enroll the customers in the segment now) or "new" (only customers who enter from now on)' })
  .optional()
  .describe('Required when the trigger is "enters a segment" and customers match it now (see GET /api/flows/{id}/enroll-preview): "existing" enrolls them, "new" only customers who enter afterwards.');
export const PublishBody = z.object({ note: z.string().trim().max(2000).default(''), enroll: EnrollChoiceField }).default({ note: '' });
export const ResumeBody = z.object({ enroll: EnrollChoiceField }).default({});
export const EnrollPreviewQuery = z.object({ action: z.enum(['publish', 'resume']).default('publish') });
export const EnrollPreviewOut = z.object({
  asks: z.boolean().describe('true: publish / resume must say whether to enroll the customers matching now'),
  trigger: z.string().nullable(),
  segmentId: z.string().nullable(),
  matchingNow: z.number().nullable().describe('customers the segment trigger matches now'),
});
export const EnrollBody = z.object({
  customerIds: z.array(z.uuid('customer ids are UUIDs')).min(1, 'select at least one customer').max(1000, 'at most 1,000 customers at a time'),
});
export const EnrollOut = z.object({
  started: z.number(),
  existing: z.number(),
  skipped: z.number(),
  reasons: z.record(z.string(), z.number()).describe('skipped customers by reason: suppressed, active_run, too_soon …'),
});
export const TestRunBody = z.object({
  customerId: z.uuid('customerId is a customer UUID'),
  /** a sample triggering event, for flows whose steps read it ({event.text} …) */
  event: z
    .object({ type: z.enum(flowEventTypes), data: z.record(z.string(), z.unknown()).default({}) })
    .optional()
    .describe('e.g. { "type": "message.received", "data": { "channel": "whatsapp", "text": "price?" } }'),
});

const isoDate = z.iso.datetime({ offset: true, message: 'an ISO date-time, e.g. 2026-06-01T00:00:00Z' }).or(z.iso.date());
export const RunListQuery = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  customerId: z.uuid('customerId is a customer UUID (to search by name, use customer=…)').optional(),
  customer: z.string().trim().min(1).max(200).optional().describe("part of the customer's name"),
  flowId: z.uuid('flowId is a flow UUID').optional(),
  from: isoDate.optional().describe('runs started at or after this time'),
  to: isoDate.optional().describe('runs started at or before this time'),
  test: z.enum(['true', 'false', 'all']).default('false').describe('test runs are hidden unless asked for'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const FlowRunListQuery = RunListQuery.omit({ flowId: true });
export const ReportQuery = z.object({
  from: isoDate.optional().describe('runs started at or after this time'),
  to: isoDate.optional().describe('runs started at or before this time'),
});
const StepReport = z.object({ reached: z.number(), done: z.number(), skipped: z.number(), failed: z.number(), replied: z.number() });
export const ReportOut = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  runs: z.number(),
  customers: z.number(),
  byStatus: z.object({ running: z.number(), waiting: z.number(), completed: z.number(), failed: z.number(), cancelled: z.number() }),
  responded: z.number(),
  responseRate: z.number().nullable().describe('% of runs whose customer wrote to us while the run was open'),
  conversions: z.number(),
  conversionRate: z.number().nullable().describe('% of runs that left at a goal'),
  steps: z.record(z.string(), StepReport),
});

export const NotificationListQuery = z.object({
  unread: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});
export const NotificationReadBody = z
  .object({ ids: z.array(z.uuid()).min(1).max(500).optional(), all: z.literal(true).optional() })
  .refine((b) => b.ids || b.all, { message: 'send ids: [...] or all: true' });

// ---- answers ------------------------------------------------------------------------------

export const FlowProblem = flowProblemSchema.meta({ id: 'FlowProblem' });
export const ProblemsOut = z.object({ problems: z.array(FlowProblem) });
/** What the validator warns about without blocking publishing, e.g. template.often_empty: a
 * template variable without a fallback, empty for `emptyShare` of the targeted customers. */
export const FlowWarning = z
  .object({ nodeId: z.string(), field: z.string(), code: z.string(), message: z.string(), variable: z.string().nullish(), emptyShare: z.number().nullish() })
  .meta({ id: 'FlowWarning' });
export const ValidationOut = ProblemsOut.extend({ warnings: z.array(FlowWarning).default([]) });

export const FlowSummaryOut = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: z.enum(FLOW_STATUSES),
  ownerId: z.string().nullable(),
  currentVersion: z.number().nullable(),
  publishedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const FlowOut = FlowSummaryOut.extend({
  graph: DraftGraph,
  enrollment: Enrollment,
  sending: Sending,
  /** true when the draft differs from the published version */
  hasUnpublishedChanges: z.boolean(),
  /** whom the published flow enrolls: customers already matching too, or only those entering since `since` */
  enrolls: z.object({ mode: z.enum(['existing', 'new']), since: z.string().nullable() }).nullable(),
  /** when the runtime last swept the flow's segment / date trigger (null: not yet) */
  lastSweptAt: z.string().nullable(),
});
export const FlowListOut = z.object({ items: z.array(FlowSummaryOut) });

export const VersionOut = z.object({
  id: z.string(),
  version: z.number(),
  note: z.string().nullable(),
  publishedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  publishedAt: z.string(),
});
export const VersionListOut = z.object({ items: z.array(VersionOut) });
export const VersionDetailOut = VersionOut.extend({ graph: DraftGraph, plan: z.unknown() });

export const TestRunOut = z.object({
  outcome: z.string().describe('completed | goal | failed | timed_out'),
  runId: z.string().nullable(),
  error: z.string().optional(),
  path: z.array(
    z.object({
      nodeId: z.string(),
      key: z.string(),
      status: z.string(),
      port: z.string().nullable(),
      at: z.string(),
      output: z.unknown().optional(),
      error: z.string().optional(),
    }),
  ),
  actions: z.array(z.record(z.string(), z.unknown())),
});

export const RunSummaryOut = z.object({
  id: z.string(),
  flowId: z.string(),
  flowName: z.string(),
  version: z.number().nullable(),
  customerId: z.string(),
  customerName: z.string().nullable(),
  status: z.enum(RUN_STATUSES),
  currentNodeId: z.string().nullable(),
  isTest: z.boolean(),
  /** how the run ended: end, goal, failed, cancelled */
  exitReason: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export const RunListOut = z.object({ items: z.array(RunSummaryOut), total: z.number(), page: z.number(), pageSize: z.number() });
export const StepOut = z.object({
  id: z.string(),
  nodeId: z.string(),
  nodeType: z.string().nullable(),
  seq: z.number(),
  attempt: z.number(),
  status: z.enum(STEP_STATUSES),
  port: z.string().nullable(),
  output: z.unknown(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export const RunDetailOut = RunSummaryOut.extend({
  workflowId: z.string(),
  steps: z.array(StepOut),
  graph: DraftGraph.nullable(),
});
export const NodeCountsOut = z.record(
  z.string(),
  z.object({ waiting: z.number(), running: z.number(), done: z.number(), failed: z.number() }),
);

export const NotificationListOut = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      event: z.string(),
      title: z.string(),
      body: z.string().nullable(),
      customerId: z.string(),
      customerName: z.string(),
      flowId: z.string().nullable(),
      runId: z.string().nullable(),
      nodeId: z.string().nullable(),
      read: z.boolean(),
      createdAt: z.string(),
    }),
  ),
  total: z.number(),
  unread: z.number(),
  page: z.number(),
  pageSize: z.number(),
});
