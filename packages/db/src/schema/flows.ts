/**
 * Flows (drafts, immutable published versions), their runs and each run's steps, suppression
 * lists, and the channel send ledger (idempotency of outbound messages).
 *
 * Temporal is the source of truth for execution; these tables are the people-facing copy the
 * runtime writes through activities (apps/server/src/flows/runtime), so ops views, per-node
 * counts and reports are plain SQL.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { customers } from './customers.js';
import { users } from './users.js';

export const flowStatus = pgEnum('flow_status', ['draft', 'active', 'paused', 'archived']);
export const FLOW_STATUSES = flowStatus.enumValues;
export type FlowStatus = (typeof FLOW_STATUSES)[number];

export const flowRunStatus = pgEnum('flow_run_status', ['running', 'waiting', 'completed', 'failed', 'cancelled']);
export const FLOW_RUN_STATUSES = flowRunStatus.enumValues;
export type FlowRunStatus = (typeof FLOW_RUN_STATUSES)[number];
/** Statuses of a run that still holds the customer's one active slot in its flow. */
export const ACTIVE_RUN_STATUSES = ['running', 'waiting'] as const satisfies readonly FlowRunStatus[];

// unknown: a send whose outcome is not known yet (the process sending it died); settled by the ledger
export const flowStepStatus = pgEnum('flow_step_status', ['pending', 'running', 'waiting', 'unknown', 'done', 'failed', 'skipped']);
export const FLOW_STEP_STATUSES = flowStepStatus.enumValues;
export type FlowStepStatus = (typeof FLOW_STEP_STATUSES)[number];

/** once: a customer enters the flow at most once, ever; again_after_days: again N days after their last run started. */
export type FlowEnrollment = { mode: 'once' } | { mode: 'again_after_days'; days: number };

/** Flow-wide sending rules, applied by the runtime to every send_message step of the flow. */
export interface FlowSendingSettings {
  /** local time of the customer (HH:mm), sends inside are held until `end` */
  quietHours?: { start: string; end: string } | null;
  /** at most `maxMessages` sends from any flow to one customer per `perHours` */
  frequencyCap?: { maxMessages: number; perHours: number } | null;
}

export const flows = pgTable(
  'flows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    description: text('description'),
    status: flowStatus('status').notNull().default('draft'),
    /** React Flow's own graph ({ nodes, edges }), as the editor saved it. */
    draftGraph: jsonb('draft_graph').$type<unknown>().notNull().default({ nodes: [], edges: [] }),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    enrollment: jsonb('enrollment').$type<FlowEnrollment>().notNull().default({ mode: 'once' }),
    sending: jsonb('sending').$type<FlowSendingSettings>().notNull().default({}),
    /** The published version new runs start on (null until the first publish). */
    currentVersionId: uuid('current_version_id').references((): AnyPgColumn => flowVersions.id, { onDelete: 'set null' }),
    /** When the runtime last completed a segment/date sweep of this flow. */
    lastSweptAt: timestamp('last_swept_at', { withTimezone: true }),
    /**
     * Set when the flow was published / resumed for "only customers who enter from now on": the
     * customers matching at that moment are in flow_enroll_baseline and are not enrolled, and a
     * date trigger that fired before this time enrolls nobody. Null: existing matches enroll too.
     */
    enrollNewSince: timestamp('enroll_new_since', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('flows_status_idx').on(t.status)],
);

/** Immutable published versions: running instances finish on the plan they started with. */
export const flowVersions = pgTable(
  'flow_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    /** 1, 2, 3 … per flow */
    version: integer('version').notNull(),
    /** The compiled ExecutionPlan (@nudge/workflow-nodes compileGraph). */
    plan: jsonb('plan').$type<unknown>().notNull(),
    /** The graph it was compiled from, for the read-only canvas of a run. */
    graph: jsonb('graph').$type<unknown>().notNull(),
    note: text('note'),
    publishedBy: uuid('published_by').references(() => users.id, { onDelete: 'set null' }),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    /** The publisher's choice: enroll the customers matching at publish time (true), or only later entrants. */
    enrollExisting: boolean('enroll_existing').notNull().default(true),
  },
  (t) => [unique('flow_versions_flow_version_uq').on(t.flowId, t.version)],
);

export const flowRuns = pgTable(
  'flow_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    /** The published version it runs; null for a test run of an unpublished draft. */
    flowVersionId: uuid('flow_version_id').references(() => flowVersions.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    /** Derived from (flow, customer, enrollment key): a repeated event never starts a second run. */
    workflowId: text('workflow_id').notNull(),
    temporalRunId: text('temporal_run_id'),
    status: flowRunStatus('status').notNull().default('running'),
    /** The node the run is at (for live counts on the canvas); null once finished. */
    currentNodeId: text('current_node_id'),
    enrollmentKey: text('enrollment_key').notNull(),
    isTest: boolean('is_test').notNull().default(false),
    /** How the run ended: end, goal, cancelled, failed … */
    exitReason: text('exit_reason'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    error: text('error'),
  },
  (t) => [
    uniqueIndex('flow_runs_workflow_id_uq').on(t.workflowId),
    index('flow_runs_flow_status_idx').on(t.flowId, t.status),
    index('flow_runs_customer_idx').on(t.customerId, t.startedAt.desc()),
    index('flow_runs_flow_customer_idx').on(t.flowId, t.customerId, t.startedAt.desc()),
    // at most one active (non-test) run per customer per flow, enforced by the database
    uniqueIndex('flow_runs_one_active_uq')
      .on(t.flowId, t.customerId)
      .where(sql`${t.status} in ('running', 'waiting') and not ${t.isTest}`),
  ],
);

export const flowRunSteps = pgTable(
  'flow_run_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => flowRuns.id, { onDelete: 'cascade' }),
    /** Denormalised from the run so per-node counts of a flow are one index scan. */
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    /** type@version, e.g. action.send_message@1 */
    nodeKey: text('node_key').notNull(),
    /** 1, 2, 3 … in the order the run reached the steps (a node visited twice has two rows). */
    seq: integer('seq').notNull(),
    /** Activity attempts so far (1 = first try). */
    attempt: integer('attempt').notNull().default(1),
    status: flowStepStatus('status').notNull().default('pending'),
    /** The output port taken (next, true/false, replied/timeout …). */
    port: text('port'),
    output: jsonb('output').$type<Record<string, unknown>>(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    unique('flow_run_steps_run_seq_uq').on(t.runId, t.seq),
    index('flow_run_steps_node_status_idx').on(t.flowId, t.nodeId, t.status),
  ],
);

/**
 * Customers who matched a flow's segment trigger when it was published / resumed for "only new
 * customers": the segment sweep skips them; one who leaves the segment is dropped from here, so
 * re-entering later counts as entering.
 */
export const flowEnrollBaseline = pgTable(
  'flow_enroll_baseline',
  {
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.flowId, t.customerId] })],
);

/** Customers who must not enter a flow (flow_id set) or any flow (flow_id null = global). */
export const flowSuppressions = pgTable(
  'flow_suppressions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    flowId: uuid('flow_id').references(() => flows.id, { onDelete: 'cascade' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    reason: text('reason'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('flow_suppressions_flow_customer_uq').on(t.flowId, t.customerId).nullsNotDistinct(),
    index('flow_suppressions_customer_idx').on(t.customerId),
  ],
);

/**
 * The outbound send ledger of @nudge/channels (SendLedger over SqlIdempotencyStore; same columns
 * as its `sendsTableDdl()`): one row per idempotency key, for every channel and every sender
 * (flow steps, auto-replies, broadcasts). A claim holds a lease (`lease_until_ms`, renewed while
 * the provider call runs); an `in_flight` row whose lease ran out is *unknown* and is settled by
 * the channel's policy (resend with the same Message-ID / reference, or a status webhook).
 */
export const channelSends = pgTable(
  'channel_sends',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    channel: text('channel').notNull(),
    state: text('state').notNull(),
    providerMessageId: text('provider_message_id'),
    claimedAtMs: bigint('claimed_at_ms', { mode: 'number' }).notNull(),
    sentAtMs: bigint('sent_at_ms', { mode: 'number' }),
    /** the attempt holding the claim */
    owner: text('owner'),
    /** null: a claim written before leases existed, treated as run out */
    leaseUntilMs: bigint('lease_until_ms', { mode: 'number' }),
    /** when an attempt first found the lease run out */
    unknownSinceMs: bigint('unknown_since_ms', { mode: 'number' }),
    /** how many times the message was handed to the provider */
    claims: integer('claims').notNull().default(1),
    /** provider, resend, status_webhook */
    settledBy: text('settled_by'),
  },
  (t) => [
    check('channel_sends_state_check', sql`${t.state} in ('in_flight', 'sent')`),
    // ops' list of unsettled sends
    index('channel_sends_unsettled_idx').on(t.claimedAtMs).where(sql`${t.state} = 'in_flight'`),
  ],
);
