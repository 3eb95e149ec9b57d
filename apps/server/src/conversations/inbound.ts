/**
 * A customer's message enters the inbox. In ONE transaction: the conversation (customer ×
 * channel) is found or opened (a resolved one reopens), the message is stored once by its
 * provider id (a webhook delivered 5 times at once stores it once; the others see the unique
 * index and stop), the auto-replies are decided and written to the outbox, priority, SLA and
 * hand-off are set and the conversation is assigned. After the commit the outbox is drained
 * (outbox.ts): nothing is sent inside the transaction, nothing decided is lost by a crash.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, getTableColumns, inArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { customerValue, rowsOf, schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { addInteraction } from '../customers/index.js';
import type { InteractionCreate } from '@nudge/contracts';
import { assignConversation, teamForText } from './assignment.js';
import { addBusinessHours, isWithinHours, localDay } from './hours.js';
import { notifySupervisors } from './notify.js';
import { publish, publishNotifications, type InboxEvent, type Notified } from './live.js';
import { kickOutbox, outboxDrainerOf, type Contact } from './outbox.js';
import { planReplies, replyIn, type AutoReplyRule } from './rules.js';
import { hoursOf, inHoursOf, loadInboxSettings, priorityForBudget, teamSettingsFor, type Tx } from './settings.js';
import { detectLanguage, fillVariables, questionKey, type InboxLanguage } from './text.js';

const conv = schema.conversations;
const cm = schema.conversationMessages;

export interface ConversationInbound {
  customerId: string;
  channel: 'whatsapp' | 'sms' | 'email';
  text: string;
  providerMessageId?: string;
  /** WhatsApp business-scoped user id */
  contactUserId?: string | null;
  attachments?: schema.MessageAttachment[];
  at?: Date;
}

export interface ConversationInboundResult {
  conversationId: string;
  messageId: string | null;
  duplicate: boolean;
  reopened: boolean;
  /** what was queued to answer: rule ids / purposes */
  queued: string[];
  handoff: boolean;
  assigneeId: string | null;
}

/** What the customer is told when a person takes over (when no hand-off rule has a reply in their language). */
export const HANDOFF_NOTICE: Record<InboxLanguage, string> = {
  en: 'Thank you — a colleague will answer you personally shortly.',
  'zh-Hant': '謝謝您，專人將盡快為您服務。',
  'zh-Hans': '谢谢您，专人将尽快为您服务。',
  es: 'Gracias, una persona de nuestro equipo le responderá en breve.',
};

/** The one follow-up when an auto-reply is unread after 10 minutes. */
export const FOLLOW_UP_TEXT: Record<InboxLanguage, string> = {
  en: 'Did that answer your question? Reply 1 to talk to a person.',
  'zh-Hant': '以上是否解答了您的問題？回覆 1 由專人為您服務。',
  'zh-Hans': '以上是否解答了您的问题？回复 1 由专人为您服务。',
  es: '¿Le ayudó esta respuesta? Responda 1 para hablar con una persona.',
};

export const FOLLOW_UP_DELAY_MS = 10 * 60_000;
export const REPEATS_FOR_HANDOFF = 3;
const AGENT_RECENT_MS = 5 * 60_000;

type Queued = { purpose: 'auto_reply' | 'welcome' | 'away' | 'handoff' | 'follow_up'; rule: AutoReplyRule | null; text: string; template: AutoReplyRule['template']; dueAt: Date };

/**
 * The customer's timeline entry for the message, written in the same transaction (stored once by
 * the provider id, like the conversation's message): `duplicate` in the result says it was there.
 */
export interface TimelineEntry {
  actorId: string | null;
  entry: InteractionCreate & { kind: 'message_in' };
}

/**
 * A sender not yet resolved to a customer (a webhook's, no signed-in user): the group commit
 * resolves (and on first contact creates) the customers of a batch's senders inside its
 * transaction, with a statement or two for all of them (inbound/service.ts).
 */
export interface PendingSender {
  /** the same for the same sender (their identity keys): a batch resolves each sender once */
  readonly key: string;
  /**
   * The distinct senders of a batch (this one among them), inside its transaction: their
   * customers in the same order, `created` on first contact. Throws on anything odd (a lost race,
   * senders sharing a key): the batch is rolled back and goes one by one, each sender alone.
   */
  resolveMany(tx: Tx, senders: PendingSender[]): Promise<ResolvedSender[]>;
  /** this sender alone, outside the transaction (the one-by-one fallback) */
  resolveAlone(): Promise<ResolvedSender>;
}
export interface ResolvedSender { customerId: string; created: boolean }

/**
 * `sender`: the customer is resolved (or created) in the message's transaction; `msg.customerId`
 * is then ignored. The result says which customer, and whether this message created them.
 */
export async function recordConversationMessage(ctx: AppContext, msg: ConversationInbound, timeline?: TimelineEntry, sender?: PendingSender): Promise<ConversationInboundResult & { timelineDuplicate: boolean; customerId: string; created: boolean }> {
  // the transaction is shared with the other messages arriving meanwhile (group commit below);
  // this resolves only once this message is committed
  const { notified, before, handed, contact, outEvents, timelineDuplicate, customerId, created, ...result } = await groupCommitOf(ctx).submit(ctx, msg, timeline, sender ?? null);
  // the replies decided now go straight to this process's drainer (leased to it in the transaction;
  // a crash before they are sent leaves them to the poll once the lease runs out)
  const drainer = outboxDrainerOf(ctx);
  if (handed.length && drainer) drainer.handOff(handed, contact);
  else if (result.queued.length) kickOutbox(ctx);
  if (!result.duplicate && result.messageId) {
    const events: InboxEvent[] = [{ type: 'message', conversationId: result.conversationId, messageId: result.messageId, direction: 'in' }, ...outEvents];
    if (before.status !== 'open') events.push({ type: 'conversation', conversationId: result.conversationId, status: 'open' });
    if (result.assigneeId !== before.assigneeId) events.push({ type: 'assignment', conversationId: result.conversationId, assigneeId: result.assigneeId, teamId: result.teamId });
    // not awaited: the webhook's answer (and Meta's next delivery) does not wait for the open
    // streams' delivery — the NOTIFY and the assignee lookup run after it; `publish` logs a failure
    void publish(ctx, events, [before.assigneeId]);
    publishNotifications(ctx, notified);
  }
  return { ...result, timelineDuplicate, customerId, created };
}

/** The most messages one group-commit transaction takes (PGlite's one connection waits for it meanwhile). */
export const GROUP_COMMIT_MAX = 32;

type Submitted = InTransaction & ResolvedSender;
interface Job { ctx: AppContext; msg: ConversationInbound; timeline: TimelineEntry | undefined; sender: PendingSender | null; resolve: (v: Submitted) => void; reject: (err: unknown) => void }

/** The batch's senders resolved inside its transaction: each job's message with its customer, `created` on the first of a new customer's. */
async function resolveSenders(tx: Tx, batch: Job[]): Promise<{ msg: ConversationInbound; created: boolean }[]> {
  const out = batch.map((job) => ({ msg: job.msg, created: false }));
  const groups = new Map<string, { sender: PendingSender; at: number[] }>();
  for (const [i, job] of batch.entries()) {
    if (!job.sender) continue;
    const g = groups.get(job.sender.key);
    if (g) g.at.push(i);
    else groups.set(job.sender.key, { sender: job.sender, at: [i] });
  }
  if (!groups.size) return out;
  const list = [...groups.values()];
  const resolved = await list[0]!.sender.resolveMany(tx, list.map((g) => g.sender));
  for (const [k, g] of list.entries()) {
    const r = resolved[k]!;
    for (const [j, i] of g.at.entries()) out[i] = { msg: { ...batch[i]!.msg, customerId: r.customerId }, created: r.created && j === 0 };
  }
  return out;
}

/**
 * Group commit: messages that arrive while a transaction is being written wait and then go
 * together in the next one — one BEGIN/COMMIT (one WAL flush) for the lot instead of one each.
 * Each message's promise resolves only after the shared commit, so a webhook is still answered
 * only once its message is durable (a crash before the commit loses nothing Meta won't send
 * again). One transaction at a time per process; messages in provider order within a customer.
 * If the shared transaction fails (one bad message, a deadlock with another process, a lost
 * race), it is rolled back and each message is written again alone, so one message's failure
 * fails only that message. Exactly-once is unchanged: the unique indexes decide, and a duplicate
 * within one batch sees the first copy's row in the same transaction.
 */
class GroupCommit {
  private queue: Job[] = [];
  private busy = false;
  /** for tests and the bench: how many transactions carried how many messages */
  readonly stats = { transactions: 0, messages: 0, fallbacks: 0 };
  /** test seam (crash tests): called inside a shared transaction after its writes, before COMMIT */
  beforeCommit: ((messages: number) => void) | null = null;
  /** the most messages per transaction (1: one transaction each, as before group commit — the bench's A/B) */
  max = GROUP_COMMIT_MAX;
  /** one per database handle; each message keeps its own context (clock, flows) */
  constructor(private readonly db: AppContext['db']) {}

  submit(ctx: AppContext, msg: ConversationInbound, timeline: TimelineEntry | undefined, sender: PendingSender | null = null): Promise<Submitted> {
    return new Promise<Submitted>((resolve, reject) => {
      this.queue.push({ ctx, msg, timeline, sender, resolve, reject });
      if (!this.busy) {
        this.busy = true;
        // the requests parsed in the same turn of the event loop join the first transaction too
        setImmediate(() => void this.loop());
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length) await this.run(this.queue.splice(0, this.max));
    } finally {
      this.busy = false;
    }
  }

  /**
   * One message alone. A deadlock (PostgreSQL: with a drainer recording this customer's earlier
   * replies, which locks their conversation and customer rows too) rolled it back as a whole: it
   * is written again, up to twice (the unique indexes keep it once).
   */
  private async one(job: Job, leaseMs: number | null): Promise<Submitted> {
    // the sender resolved (or created) alone first, as before group commit resolved senders
    const sender = job.sender ? await job.sender.resolveAlone() : { customerId: job.msg.customerId, created: false };
    const msg = { ...job.msg, customerId: sender.customerId };
    this.stats.transactions += 1;
    this.stats.messages += 1;
    for (let attempt = 0; ; attempt++) {
      try {
        return { ...await this.db.db.transaction(async (tx) => (await inRound(tx, 1, (n, exec) => recordInTransaction(job.ctx, tx, msg, job.timeline, leaseMs, n, exec)))[0]!), ...sender };
      } catch (err) {
        if (attempt >= 2 || !isDeadlock(err)) throw err;
      }
    }
  }

  private async run(batch: Job[]): Promise<void> {
    const leaseMs = outboxDrainerOf(batch[0]!.ctx)?.leaseMs ?? null;
    if (batch.length > 1 || batch.some((job) => job.sender)) {
      let results: Submitted[] | null = null;
      try {
        results = await this.db.db.transaction(async (tx) => {
          // the senders first (one lookup for all, the new customers with one insert), then the messages
          const items = (await resolveSenders(tx, batch)).map((x, i) => ({ ...x, job: batch[i]!, i }));
          // the same order of row locks in every transaction (conversations by customer), a customer's messages as they came
          const ordered = [...items].sort((a, b) => (a.msg.customerId < b.msg.customerId ? -1 : a.msg.customerId > b.msg.customerId ? 1 : a.i - b.i));
          // rounds of distinct customers (a customer's second message in the next round, after its first):
          // each round's messages write with ONE statement per step for all of them
          const seen = new Map<string, number>();
          const rounds: (typeof items)[] = [];
          for (const item of ordered) {
            const r = seen.get(item.msg.customerId) ?? 0;
            seen.set(item.msg.customerId, r + 1);
            (rounds[r] ??= []).push(item);
          }
          const out: Submitted[] = new Array<Submitted>(batch.length);
          for (const round of rounds) {
            const done = await inRound(tx, round.length, (n, exec) => recordInTransaction(round[n]!.job.ctx, tx, round[n]!.msg, round[n]!.job.timeline, leaseMs, n, exec));
            for (const [k, r] of done.entries()) out[round[k]!.i] = { ...r, customerId: round[k]!.msg.customerId, created: round[k]!.created };
          }
          this.beforeCommit?.(batch.length);
          return out;
        });
        this.stats.transactions += 1;
        this.stats.messages += batch.length;
      } catch {
        this.stats.fallbacks += 1; // rolled back as a whole: each goes again on its own, below
      }
      if (results) {
        for (const [i, job] of batch.entries()) job.resolve(results[i]!);
        return;
      }
      // one by one in the same lock order (by customer where known; each sender resolved alone)
      const ordered = batch.map((job, i) => ({ job, i })).sort((a, b) => (a.job.msg.customerId < b.job.msg.customerId ? -1 : a.job.msg.customerId > b.job.msg.customerId ? 1 : a.i - b.i)).map((x) => x.job);
      for (const job of ordered) await this.one(job, leaseMs).then(job.resolve, job.reject);
      return;
    }
    for (const job of batch) await this.one(job, leaseMs).then(job.resolve, job.reject);
  }
}

/** One step's statement of one message: its CTEs and its final SELECT (rows tagged `job__` = its number), or null. */
type Exec = (step: 'receive' | 'queue', ctes: SQL[], select: SQL | null) => Promise<Record<string, unknown>[]>;
type Parked = { step: string; ctes: SQL[]; select: SQL | null; resolve: (rows: Record<string, unknown>[]) => void };

/**
 * Several messages of distinct customers in one transaction, written with one statement per step
 * for all of them. Each message's code runs one at a time, in order, as if alone; only its
 * statements wait: when every message waits on its statement of a step (or is done), the waiting
 * statements go as ONE — their CTEs side by side (names suffixed with the message's number,
 * different conversations and customers, so no row is written twice), their SELECTs joined by
 * UNION ALL — and the messages resume one after another with their own rows. A failure fails the
 * whole round (the caller's transaction rolls back).
 */
async function inRound<R>(tx: Tx, count: number, body: (n: number, exec: Exec) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(count);
  const parked = new Map<number, Parked>();
  let failed: { err: unknown } | null = null;
  let signal: (() => void) | null = null;
  const settle = () => {
    const s = signal;
    signal = null;
    s?.();
  };
  // runs message n until it waits on a statement or ends
  const start = (n: number) => new Promise<void>((resolve) => {
    signal = resolve;
    body(n, (step, ctes, select) => new Promise((r) => {
      parked.set(n, { step, ctes, select, resolve: r });
      settle();
    })).then((v) => { results[n] = v; }, (err: unknown) => { failed ??= { err }; }).finally(settle);
  });
  const resume = (n: number, rows: Record<string, unknown>[]) => new Promise<void>((resolve) => {
    signal = resolve;
    const p = parked.get(n)!;
    parked.delete(n);
    p.resolve(rows);
  });
  for (let n = 0; n < count && !failed; n++) await start(n);
  while (parked.size && !failed) {
    const step = [...parked.values()][0]!.step;
    const group = [...parked.entries()].filter(([, p]) => p.step === step).sort(([a], [b]) => a - b);
    const selects = group.map(([, p]) => p.select).filter((x): x is SQL => x !== null);
    const rows = rowsOf<Record<string, unknown>>(await tx.execute(sql`with ${sql.join(group.flatMap(([, p]) => p.ctes), sql`, `)} ${selects.length ? sql.join(selects, sql` union all `) : sql`select null::int as job__ where false`}`));
    for (const [n] of group) {
      if (failed) break;
      await resume(n, rows.filter((r) => Number(r.job__) === n));
    }
  }
  if (failed) throw (failed as { err: unknown }).err;
  return results;
}

/** PostgreSQL's deadlock (40P01) or serialization failure (40001), however wrapped (drizzle's DrizzleQueryError has it as `cause`). */
function isDeadlock(err: unknown): boolean {
  for (let e: unknown = err, d = 0; e && d < 4; e = (e as { cause?: unknown }).cause, d++) {
    const code = (e as { code?: unknown }).code;
    if (code === '40P01' || code === '40001') return true;
  }
  return false;
}

const groupCommits = new WeakMap<object, GroupCommit>();
export function groupCommitOf(ctx: AppContext): GroupCommit {
  let g = groupCommits.get(ctx.db);
  if (!g) groupCommits.set(ctx.db, (g = new GroupCommit(ctx.db)));
  return g;
}

const convColumns = Object.entries(getTableColumns(conv)) as [keyof typeof conv.$inferSelect, AnyColumn][];
const customerColumns = Object.entries(getTableColumns(schema.customers)).filter(([k]) => ['fullName', 'ownerId', 'teamId', 'budgetMax', 'budgetMin', 'phone', 'whatsappId', 'email'].includes(k)) as [string, AnyColumn][];
/** A raw row's columns (snake_case, driver values) as drizzle would map them. */
function fromRow<T>(columns: [string, AnyColumn][], raw: Record<string, unknown>, prefix = ''): T {
  const out: Record<string, unknown> = {};
  for (const [key, col] of columns) {
    const v = raw[prefix + col.name];
    out[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
  }
  return out as T;
}

type InTransaction = ConversationInboundResult & {
  notified: Notified[];
  before: { status: string; assigneeId: string | null; teamId: string | null };
  teamId: string | null;
  handed: (typeof schema.conversationOutbox.$inferSelect)[];
  contact: Contact;
  outEvents: InboxEvent[];
  timelineDuplicate: boolean;
};
type CustomerPart = { fullName: string; ownerId: string | null; teamId: string | null; budgetMax: number | null; budgetMin: number | null; phone: string | null; whatsappId: string | null; email: string | null };

/**
 * One message's two statements, each handed to `exec` as its CTEs (named with the suffix `n`) and
 * its final SELECT (null: nothing to read back): `exec` may run them as one statement with the
 * other messages' of the same step (`inRound`).
 */
async function recordInTransaction(ctx: AppContext, tx: Tx, msg: ConversationInbound, timeline: TimelineEntry | undefined, leaseMs: number | null, n: number, exec: Exec): Promise<InTransaction> {
  const now = nowOf(ctx);
  const at = now; // decisions (hours, windows, SLA) use the server clock at arrival
  const atIso = at.toISOString();
  // ONE statement: the timeline entry (once per provider id) and the customer's last-contact
  // times, the conversation found or opened (the upsert locks its row until commit), the message
  // stored once, and what the decisions need of the customer and their owner
  const upsert = tx
    .insert(conv)
    .values({ customerId: msg.customerId, channel: msg.channel, contactUserId: msg.contactUserId ?? null, lastMessageAt: at })
    .onConflictDoUpdate({ target: [conv.customerId, conv.channel], set: { updatedAt: now } })
    .returning();
  const entry = timeline?.entry;
  const occurredAt = (entry?.occurredAt ?? now).toISOString();
  // CTE names of this message (its statements may run as one with the other messages', below)
  const [tl, tlc, c, m] = ['tl', 'tlc', 'c', 'm'].map((x) => sql.raw(`${x}_${n}`)) as [SQL, SQL, SQL, SQL];
  const timelinePart = entry
    ? [sql`${tl} as (${tx
      .insert(schema.interactions)
      .values({ customerId: msg.customerId, kind: entry.kind, channel: entry.channel ?? null, body: entry.body ?? null, payload: entry.payload ?? {}, providerMessageId: msg.providerMessageId ?? null, createdBy: timeline!.actorId, occurredAt: new Date(occurredAt) })
      .onConflictDoNothing()
      .returning({ id: schema.interactions.id })
      .getSQL()})`,
    sql`${tlc} as (update customers set last_interaction_at = greatest(last_interaction_at, ${occurredAt}::timestamptz), first_contact_at = least(first_contact_at, ${occurredAt}::timestamptz)
        where id = ${msg.customerId} and exists (select 1 from ${tl}))`]
    : [sql`${tl} as (select null::uuid as id where false)`];
  const [raw] = await exec('receive', [
    ...timelinePart,
    sql`${c} as (${upsert.getSQL()})`,
    sql`${m} as (
      insert into conversation_messages (conversation_id, customer_id, direction, channel, body, attachments, provider_message_id, status, status_at, created_at)
      select ${c}.id, ${msg.customerId}, 'in', ${msg.channel}, ${msg.text}, ${JSON.stringify(msg.attachments ?? [])}::jsonb, ${msg.providerMessageId ?? null}, 'received', ${atIso}::timestamptz, ${atIso}::timestamptz from ${c}
      on conflict (channel, provider_message_id) do nothing
      returning id)`,
  ], sql`select ${n}::int as job__, ${c}.*, (select id from ${m}) as stored__id, (select id from ${tl}) as timeline__id,
      cu.full_name as cu__full_name, cu.owner_id as cu__owner_id, cu.team_id as cu__team_id, cu.budget_max as cu__budget_max, cu.budget_min as cu__budget_min,
      cu.phone as cu__phone, cu.whatsapp_id as cu__whatsapp_id, cu.email as cu__email, u.name as owner__name
    from ${c} left join customers cu on cu.id = ${c}.customer_id left join users u on u.id = cu.owner_id`);
  const before = fromRow<typeof conv.$inferSelect>(convColumns, raw!);
  const stored = raw!.stored__id ? { id: String(raw!.stored__id) } : null;
  const timelineDuplicate = !!entry && !raw!.timeline__id;
  const customer = raw!.cu__full_name === null || raw!.cu__full_name === undefined ? undefined : fromRow<CustomerPart>(customerColumns, raw!, 'cu__');
  const contact: Contact = { customerId: msg.customerId, phone: customer?.phone ?? null, whatsappId: customer?.whatsappId ?? null, email: customer?.email ?? null, contactUserId: msg.contactUserId ?? before.contactUserId };
  if (!stored) {
    return { conversationId: before.id, messageId: null, duplicate: true, reopened: false, queued: [], handoff: false, assigneeId: before.assigneeId, teamId: before.teamId, notified: [], before, handed: [], contact, outEvents: [], timelineDuplicate };
  }

  const settings = await loadInboxSettings(ctx, tx);
  const ownerName = (raw!.owner__name as string | null | undefined) ?? null;

  const firstContact = before.lastCustomerMessageAt === null;
  const reopened = before.status === 'resolved';
  const newInquiry = firstContact || reopened;
  const language = detectLanguage(msg.text, before.language as InboxLanguage);
  const routedTeam = teamForText(settings.teams, msg.text);
  const teamId = routedTeam ?? before.teamId ?? customer?.teamId ?? settings.teams.find((t) => t.isDefault)?.teamId ?? null;
  const team = teamSettingsFor(settings, teamId);
  const inHours = inHoursOf(team, at, isWithinHours);
  const rules = settings.rules;
  const vars = { name: customer?.fullName ?? '', owner: ownerName ?? '' };
  const textOf = (rule: AutoReplyRule | null, fallback?: string) => fillVariables((rule && replyIn(rule, language)) ?? fallback ?? '', vars);
  const templateOf = (rule: AutoReplyRule | null) =>
    rule?.template ? { ...rule.template, parameters: rule.template.parameters.map((p) => fillVariables(p, vars)) } : null;

  const key = questionKey(msg.text);
  const repeatCount = key && key === before.lastQuestion ? before.repeatCount + 1 : 1;
  let needsHuman = reopened ? false : before.needsHuman;
  let priority = newInquiry ? priorityForBudget(customerValue(customer), settings.policy) : before.priority;
  const queued: Queued[] = [];
  const push = (purpose: Queued['purpose'], rule: AutoReplyRule | null, fallback?: string, dueAt = at) => {
    const text = textOf(rule, fallback);
    const template = templateOf(rule);
    if (text || template) queued.push({ purpose, rule, text, template, dueAt });
  };

  // at most one greeting (away out of hours, else the welcome on first contact), then at most one answer
  const today = localDay(hoursOf(team).timezone, at);
  const agentRecently = !!before.lastAgentMessageAt && at.getTime() - before.lastAgentMessageAt.getTime() < AGENT_RECENT_MS;
  const answeredFollowUp = key === '1' && (await followUpWasSent(tx, before.id));
  const handedOff = reopened ? false : before.handedOffAt !== null;
  // the bot answers common questions until a person has replied in this episode
  const personTookOver = !reopened && before.firstRespondedAt !== null;
  const plan = planReplies(rules, {
    text: msg.text,
    inHours,
    firstContact,
    awayAllowed: before.awaySentOn !== today && !agentRecently,
    handoffAllowed: !handedOff,
    handoffForced: repeatCount >= REPEATS_FOR_HANDOFF || answeredFollowUp,
    personTookOver,
  });
  if (plan.greeting) push(plan.greeting.purpose, plan.greeting.rule);
  const handoff = !!plan.handoff;
  const highValue = plan.highValue;
  if (handoff) {
    needsHuman = true;
    push('handoff', plan.handoff!.rule, HANDOFF_NOTICE[language]);
  } else if (highValue) {
    push('auto_reply', highValue.rule);
  }
  if (highValue) {
    priority = 'P1';
    needsHuman = true;
  }
  if (!handoff && !highValue && !personTookOver) {
    if (plan.keyword) {
      push('auto_reply', plan.keyword.rule);
      queued.push({ purpose: 'follow_up', rule: plan.keyword.rule, text: FOLLOW_UP_TEXT[language], template: null, dueAt: new Date(at.getTime() + FOLLOW_UP_DELAY_MS) });
    } else if (!(firstContact && plan.greeting && isGreeting(key))) {
      needsHuman = true; // nobody answers it automatically: a person must
    }
  } else if (!handoff && !highValue) {
    needsHuman = true;
  }

  const sla = settings.policy.sla[priority];
  const awaitingReplyAfterAgent = !newInquiry && before.lastAgentMessageAt && (!before.lastCustomerMessageAt || before.lastAgentMessageAt > before.lastCustomerMessageAt);
  const patch: Partial<typeof conv.$inferInsert> = {
    status: before.status === 'resolved' || before.status === 'snoozed' ? 'open' : before.status,
    teamId,
    language,
    priority,
    needsHuman,
    lastCustomerMessageAt: at,
    lastMessageAt: at,
    lastQuestion: key,
    repeatCount,
    unreadCount: sql`${conv.unreadCount} + 1` as never,
    windowEndsAt: msg.channel === 'whatsapp' ? new Date(at.getTime() + 24 * 3_600_000) : before.windowEndsAt,
    contactUserId: msg.contactUserId ?? before.contactUserId,
    updatedAt: now,
    ...(queued.some((q) => q.purpose === 'away') ? { awaySentOn: today } : {}),
    ...(handoff ? { handedOffAt: at } : {}),
    ...(reopened ? { handedOffAt: handoff ? at : null, resolvedAt: null, snoozedUntil: null, assigneeId: null, firstRespondedAt: null, slaBreachedAt: null, escalationStep: 0, escalatedAt: null } : {}),
    ...(before.status === 'snoozed' ? { snoozedUntil: null } : {}),
  };
  if (newInquiry) {
    patch.firstResponseDueAt = addBusinessHours(hoursOf(team), at, sla);
    patch.slaBreachedAt = null;
  } else if (awaitingReplyAfterAgent) {
    patch.nextResponseDueAt = addBusinessHours(hoursOf(team), at, sla);
    patch.slaBreachedAt = null;
  } else if (highValue && before.priority !== 'P1' && !before.firstRespondedAt) {
    patch.firstResponseDueAt = addBusinessHours(hoursOf(team), at, settings.policy.sla.P1);
  }
  // ONE statement: the conversation's new state, the older follow-up timer cancelled (one pending
  // per conversation: a newer message replaces it), the replies queued — those due now with their
  // message row (the inbox shows them queued) and, when this process drains, leased to it
  const keys: string[] = [];
  const outRows: (typeof cm.$inferInsert)[] = [];
  const obRows: (typeof schema.conversationOutbox.$inferInsert)[] = [];
  const leaseEnd = leaseMs === null ? null : new Date(now.getTime() + leaseMs);
  const lockedBy = outboxDrainerOf(ctx)?.owner ?? null;
  const wallNow = Date.now();
  for (const [i, q] of queued.entries()) {
    const k = `${stored.id}:${q.purpose === 'auto_reply' ? q.rule!.id : q.purpose}`;
    keys.push(k);
    const dueAt = new Date(q.dueAt.getTime() - (queued.length - i)); // 1 ms apart, never later than decided: sent in this order
    const dueNow = q.dueAt.getTime() <= at.getTime();
    const messageId = dueNow ? randomUUID() : null;
    if (messageId) {
      // after the customer's message, in the order they are sent
      outRows.push({ id: messageId, conversationId: before.id, customerId: msg.customerId, direction: 'out', channel: msg.channel, body: q.text, template: q.template, status: 'queued', origin: q.purpose, ruleId: q.rule?.id ?? null, statusAt: at, createdAt: new Date(Math.max(wallNow, at.getTime() + 1) + i) });
    }
    obRows.push({ key: k, conversationId: before.id, purpose: q.purpose, ruleId: q.rule?.id ?? null, channel: msg.channel, text: q.text, template: q.template, dueAt, messageId, ...(messageId && leaseEnd ? { lockedUntil: leaseEnd, lockedBy, attempts: 1 } : {}) });
  }
  const cancel = tx
    .update(schema.conversationOutbox)
    .set({ state: 'cancelled' })
    .where(and(eq(schema.conversationOutbox.conversationId, before.id), eq(schema.conversationOutbox.purpose, 'follow_up'), eq(schema.conversationOutbox.state, 'pending')));
  const [u, x, om, ob] = ['u', 'x', 'om', 'ob'].map((y) => sql.raw(`${y}_${n}`)) as [SQL, SQL, SQL, SQL];
  const parts = [sql`${u} as (${tx.update(conv).set(patch).where(eq(conv.id, before.id)).getSQL()})`, sql`${x} as (${cancel.getSQL()})`];
  if (outRows.length) parts.push(sql`${om} as (${tx.insert(cm).values(outRows).getSQL()})`);
  if (obRows.length) parts.push(sql`${ob} as (${tx.insert(schema.conversationOutbox).values(obRows).returning().getSQL()})`);
  const applied = await exec('queue', parts, obRows.length ? sql`select ${n}::int as job__, ${ob}.* from ${ob}` : null);
  const obColumns = Object.entries(getTableColumns(schema.conversationOutbox)) as [string, AnyColumn][];
  const handed = obRows.length && leaseEnd
    ? applied.map((r) => fromRow<typeof schema.conversationOutbox.$inferSelect>(obColumns, r)).filter((r) => r.messageId !== null).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
    : [];
  const outEvents: InboxEvent[] = outRows.map((r) => ({ type: 'message', conversationId: before.id, messageId: r.id!, direction: 'out' }));

  let assigneeId = reopened ? null : before.assigneeId;
  if ((needsHuman || priority === 'P1') && !assigneeId) {
    assigneeId = await assignConversation(ctx, tx, { id: before.id, teamId, language }, settings.policy.strategy);
  }
  const notified: Notified[] = [];
  if (highValue) {
    notified.push(...await notifySupervisors(tx, teamId, {
      kind: 'high_value',
      conversationId: before.id,
      body: `${customer?.fullName ?? 'A customer'} wrote "${msg.text.slice(0, 120)}" (${highValue.pattern}): priority P1.`,
      dedupeKey: `high_value:${stored.id}`,
    }));
  }
  return { conversationId: before.id, messageId: stored.id, duplicate: false, reopened, queued: keys, handoff, assigneeId, teamId, notified, before, handed, contact, outEvents, timelineDuplicate };
}

const GREETINGS = new Set(['hi', 'hello', 'hey', 'hola', 'buenas', 'buenos dias', '你好', '您好', '哈啰', '嗨', 'good morning']);
/** A first message that only says hello: the welcome answers it, no person needed. */
export const isGreeting = (key: string) => GREETINGS.has(key) || key.length === 0;

async function followUpWasSent(tx: Tx, conversationId: string): Promise<boolean> {
  const rows = await tx
    .select({ id: schema.conversationOutbox.id })
    .from(schema.conversationOutbox)
    .where(and(eq(schema.conversationOutbox.conversationId, conversationId), eq(schema.conversationOutbox.purpose, 'follow_up'), inArray(schema.conversationOutbox.state, ['sent'])))
    .limit(1);
  return rows.length > 0;
}

/** Puts an outbound message on the customer's timeline too (the inbox keeps its own copy). */
export async function addToTimeline(ctx: AppContext, tx: Tx, customerId: string, authorId: string | null, entry: { kind: 'message_out' | 'note'; channel: string | null; body: string; payload: Record<string, unknown>; at: Date }) {
  await addInteraction(ctx, authorId, customerId, { kind: entry.kind, ...(entry.channel ? { channel: entry.channel } : {}), body: entry.body, payload: entry.payload, occurredAt: entry.at }, tx as never);
}
