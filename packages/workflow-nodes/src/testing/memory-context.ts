/**
 * An in-memory NodeContext: customers, users, templates and segments held in plain objects, and
 * every side effect recorded. Node tests use it; a flow "test run" can use it too, to record
 * actions instead of sending them.
 */
import type { MessageTemplate, NodeContext, OwnerCandidate, RunInfo, SendMessageRequest } from '../context.js';
import type { CustomerSnapshot } from '../customer.js';
import { customerSnapshotSchema } from '../customer.js';

export interface MemoryWorld {
  customers: Map<string, CustomerSnapshot>;
  users: Map<string, OwnerCandidate>;
  templates: Map<string, MessageTemplate>;
  /** segment id → member customer ids */
  segments: Map<string, Set<string>>;
  /** tag expiries: `${customerId}:${tag}` → epoch ms | null */
  tagExpiry: Map<string, number | null>;
  sent: SendMessageRequest[];
  tasks: { taskId: string; customerId: string; assigneeId: string; title: string; taskType: string; dueAt: number; notes: string }[];
  notes: { noteId: string; customerId: string; text: string }[];
  notifications: { userId: string; title: string; body: string; customerId: string }[];
  httpRequests: { url: string; method: string; headers: Record<string, string>; body?: string }[];
  flowsStarted: { flowId: string; customerId: string; enrollmentKey: string }[];
  points: { customerId: string; delta: number; reason: string }[];
  logs: { level: string; message: string }[];
}

export interface MemoryContextOptions {
  customers?: Partial<CustomerSnapshot>[];
  users?: Partial<OwnerCandidate>[];
  templates?: MessageTemplate[];
  segments?: Record<string, string[]>;
  now?: number;
  run?: Partial<RunInfo>;
  /** answers webhook calls; default 200 "ok" */
  httpResponder?: (request: { url: string; method: string; body?: string }) => { status: number; body: string };
}

export function createMemoryWorld(options: MemoryContextOptions = {}): MemoryWorld {
  return {
    customers: new Map(
      (options.customers ?? []).map((c, i) => {
        const customer = customerSnapshotSchema.parse({ id: `c${i + 1}`, name: `Customer ${i + 1}`, ...c });
        return [customer.id, customer];
      }),
    ),
    users: new Map(
      (options.users ?? []).map((u, i) => {
        const user: OwnerCandidate = { id: `u${i + 1}`, name: `User ${i + 1}`, openCount: 0, lastAssignedAt: null, capacity: null, ...u };
        return [user.id, user];
      }),
    ),
    templates: new Map((options.templates ?? []).map((t) => [t.id, t])),
    segments: new Map(Object.entries(options.segments ?? {}).map(([k, v]) => [k, new Set(v)])),
    tagExpiry: new Map(),
    sent: [],
    tasks: [],
    notes: [],
    notifications: [],
    httpRequests: [],
    flowsStarted: [],
    points: [],
    logs: [],
  };
}

export function createMemoryContext(options: MemoryContextOptions = {}, world = createMemoryWorld(options)) {
  let clock = options.now ?? Date.UTC(2026, 0, 15, 9, 0);
  const firstCustomer = world.customers.keys().next().value ?? 'c1';
  const run: RunInfo = {
    runId: 'run-1',
    flowId: 'flow-1',
    flowVersion: 1,
    nodeId: 'n1',
    customerId: firstCustomer,
    attempt: 1,
    idempotencyKey: 'run-1:n1',
    testMode: true,
    triggerEvent: null,
    ...options.run,
  };
  const customer = (id: string) => {
    const c = world.customers.get(id);
    if (!c) throw new Error(`Customer ${id} not found`);
    return c;
  };
  const sentKeys = new Map<string, string>();
  let sequence = 0;
  const nextId = (prefix: string) => `${prefix}-${++sequence}`;

  const ctx: NodeContext = {
    run,
    now: () => clock,
    log: {
      info: (message) => world.logs.push({ level: 'info', message }),
      warn: (message) => world.logs.push({ level: 'warn', message }),
      error: (message) => world.logs.push({ level: 'error', message }),
    },
    customers: {
      get: async (id) => (world.customers.has(id) ? structuredClone(world.customers.get(id)!) : null),
      inSegment: async (id, segmentId) => {
        const members = world.segments.get(segmentId);
        if (!members) throw new Error(`Segment ${segmentId} does not exist`);
        return members.has(id);
      },
      updateField: async (id, field, value) => {
        const c = customer(id);
        if (field.startsWith('custom.')) c.custom[field.slice(7)] = value;
        else if (field in c && field !== 'fields' && field !== 'custom') (c as Record<string, unknown>)[field] = value;
        else c.fields[field] = value;
      },
      addTag: async (id, tag, { expiresAt }) => {
        const c = customer(id);
        if (!c.tags.includes(tag)) c.tags.push(tag);
        world.tagExpiry.set(`${id}:${tag}`, expiresAt);
      },
      removeTag: async (id, tag) => {
        const c = customer(id);
        const had = c.tags.includes(tag);
        c.tags = c.tags.filter((t) => t !== tag);
        world.tagExpiry.delete(`${id}:${tag}`);
        return had;
      },
      setOwner: async (id, userId) => {
        const c = customer(id);
        c.ownerId = userId;
        const user = world.users.get(userId);
        c.ownerName = user?.name ?? null;
        if (user) {
          user.openCount += 1;
          user.lastAssignedAt = clock;
        }
      },
      setPriority: async (id, priority) => {
        customer(id).fields.priority = priority;
      },
      changePoints: async (id, delta, reason) => {
        const c = customer(id);
        const balance = Number(c.fields.points ?? 0) + delta;
        c.fields.points = balance;
        world.points.push({ customerId: id, delta, reason });
        return balance;
      },
    },
    users: {
      ownerCandidates: async ({ userIds }) =>
        [...world.users.values()].filter((u) => !userIds || userIds.includes(u.id)).map((u) => ({ ...u })),
      exists: async (id) => world.users.has(id),
    },
    timeline: {
      addNote: async (customerId, text) => {
        const noteId = nextId('note');
        world.notes.push({ noteId, customerId, text });
        return { noteId };
      },
      createTask: async (task) => {
        const taskId = nextId('task');
        world.tasks.push({ taskId, ...task });
        return { taskId };
      },
    },
    notifications: {
      notifyUser: async (userId, message) => {
        world.notifications.push({ userId, ...message });
      },
    },
    messaging: {
      getTemplate: async (id) => world.templates.get(id) ?? null,
      send: async (request) => {
        const existing = sentKeys.get(request.idempotencyKey);
        if (existing) return { providerMessageId: existing };
        const providerMessageId = nextId('msg');
        sentKeys.set(request.idempotencyKey, providerMessageId);
        world.sent.push(request);
        return { providerMessageId };
      },
    },
    http: {
      request: async (request) => {
        world.httpRequests.push({ url: request.url, method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
        return options.httpResponder?.(request) ?? { status: 200, body: 'ok' };
      },
    },
    flows: {
      start: async (flowId, customerId, { enrollmentKey }) => {
        if (world.flowsStarted.some((f) => f.enrollmentKey === enrollmentKey && f.flowId === flowId)) return { runId: null };
        world.flowsStarted.push({ flowId, customerId, enrollmentKey });
        return { runId: nextId('run') };
      },
    },
  };
  return {
    ctx,
    world,
    setNow(ms: number) {
      clock = ms;
    },
  };
}
