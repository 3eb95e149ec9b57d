/**
 * The services an action or condition node may use, injected by the worker (real database and
 * channels), by a test run (records instead of sending) or by tests (`@nudge/workflow-nodes/testing`).
 * An interface only: this package stays free of I/O libraries.
 */
import type { Channel, CustomerSnapshot } from './customer.js';
import type { FlowEvent } from './events.js';

export interface RunInfo {
  runId: string;
  flowId: string;
  flowVersion: number;
  nodeId: string;
  customerId: string;
  /** 1 for the first attempt */
  attempt: number;
  /** Stable across retries of this step: `${runId}:${nodeId}` (plus a visit counter in loops). */
  idempotencyKey: string;
  /** A test run: the context records actions instead of performing them. */
  testMode: boolean;
  /** The event that started the run, when there was one. */
  triggerEvent?: FlowEvent | null;
}

export interface OwnerCandidate {
  id: string;
  name: string;
  /** open conversations / customers assigned right now */
  openCount: number;
  /** epoch ms of the last assignment, null = never */
  lastAssignedAt: number | null;
  /** the most this user should hold; null = no cap */
  capacity: number | null;
}

export interface SendMessageRequest {
  channel: Channel;
  to: string;
  subject?: string;
  text: string;
  /** WhatsApp approved template, when sending outside the 24h window */
  template?: { name: string; language: string; parameters: string[] };
  variables: Record<string, string>;
  idempotencyKey: string;
  customerId: string;
}

export interface MessageTemplate {
  id: string;
  channel?: Channel;
  subject?: string;
  body: string;
  /** a WhatsApp template registered with Meta: sent as such (needed outside the 24-hour window) when approved */
  whatsapp?: { name: string; language: string; approved: boolean };
}

export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface NodeContext {
  run: RunInfo;
  /** epoch ms; activities may read the clock, the workflow gives them its own time in tests */
  now(): number;
  log: Logger;
  customers: {
    get(customerId: string): Promise<CustomerSnapshot | null>;
    inSegment(customerId: string, segmentId: string): Promise<boolean>;
    updateField(customerId: string, field: string, value: unknown): Promise<void>;
    addTag(customerId: string, tag: string, options: { expiresAt: number | null }): Promise<void>;
    removeTag(customerId: string, tag: string): Promise<boolean>;
    setOwner(customerId: string, userId: string): Promise<void>;
    setPriority(customerId: string, priority: string): Promise<void>;
    /** returns the new balance */
    changePoints(customerId: string, delta: number, reason: string): Promise<number>;
  };
  users: {
    /** users who may own customers: a team's members, or the given ids */
    ownerCandidates(filter: { teamId?: string; userIds?: string[] }): Promise<OwnerCandidate[]>;
    exists(userId: string): Promise<boolean>;
  };
  timeline: {
    addNote(customerId: string, text: string): Promise<{ noteId: string }>;
    createTask(task: {
      customerId: string;
      assigneeId: string;
      title: string;
      taskType: string;
      dueAt: number;
      notes: string;
    }): Promise<{ taskId: string }>;
  };
  notifications: {
    notifyUser(userId: string, message: { title: string; body: string; customerId: string }): Promise<void>;
  };
  messaging: {
    getTemplate(templateId: string): Promise<MessageTemplate | null>;
    send(request: SendMessageRequest): Promise<{ providerMessageId: string }>;
  };
  http: {
    request(request: {
      url: string;
      method: string;
      headers: Record<string, string>;
      body?: string;
      timeoutMs: number;
    }): Promise<{ status: number; body: string }>;
  };
  flows: {
    start(flowId: string, customerId: string, options: { enrollmentKey: string }): Promise<{ runId: string | null }>;
  };
}

/** What an action or condition step returns: the port to follow and what to record. */
export interface StepResult {
  port: string;
  status?: 'done' | 'skipped';
  /** shown in the run detail; keep it small and JSON-serialisable */
  output?: Record<string, unknown>;
}
