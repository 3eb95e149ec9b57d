/**
 * A worker that dies between the provider accepting a mail and Nudge recording it leaves a claim
 * in the send ledger. Its lease runs out; the next attempt finds the outcome unknown, shows the
 * step as "unknown" to ops, settles it (e-mail: resend with the same Message-ID) and the run goes
 * on — it never fails for "in progress". "Retry step" on a failed send really sends.
 * PGlite, or Postgres with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { followUpFlow } from '@nudge/workflow-nodes/testing';
import type { ExecutionPlan } from '@nudge/workflow-nodes';
import { ledgerKey, type Channels } from '@nudge/channels';
import type { AuthUser } from '../../http/auth.js';
import { retryStep } from '../api/ops.js';
import { presentStep } from '../api/runs.js';
import { sweepFlow } from './triggers.js';
import { createPotentialSegment, createRuntimeWorld, createTag, createUser, eventually, publishFlow, seedCustomers, type RuntimeWorld } from './test-support.js';

/** The first send of each key: claim it under a worker that then "dies" after the SMTP server took the mail. */
function dieAfterHandOff(leaseMs: number) {
  const died = new Set<string>();
  return (channels: Channels): Channels => ({
    ...channels,
    async send(channel, message, options) {
      if (died.has(message.idempotencyKey)) return channels.send(channel, message, options);
      died.add(message.idempotencyKey);
      await channels.ledger.store.claim({ key: ledgerKey(channel, message.idempotencyKey), channel, owner: 'killed-worker', nowMs: Date.now(), leaseMs, settleWaitMs: 0 });
      await channels.adapters[channel]!.send(message); // accepted by the provider…
      throw new Error('the worker was killed before it recorded the send'); // …never recorded
    },
  });
}

const admin: AuthUser = { id: '00000000-0000-4000-8000-000000000001', email: 'ops@nudge.test', name: 'Ops', role: 'admin', teamId: null, rights: [] };

async function emailSteps(w: RuntimeWorld, flowId: string) {
  return w.ctx.db.db.select().from(schema.flowRunSteps).where(and(eq(schema.flowRunSteps.flowId, flowId), eq(schema.flowRunSteps.nodeId, 'email')));
}

async function setup(w: RuntimeWorld, prefix: string, adjust?: (plan: ExecutionPlan) => void) {
  const ownerId = await createUser(w.ctx);
  const tagId = await createTag(w.ctx, `potential`).catch(async () => {
    const [t] = await w.ctx.db.db.select().from(schema.tags).where(eq(schema.tags.name, 'potential'));
    return t!.id;
  });
  const segmentId = await createPotentialSegment(w.ctx);
  const graph = followUpFlow();
  graph.nodes[0]!.data.config = { segmentId };
  const { flowId } = await publishFlow(w.ctx, graph, { adjustPlan: (plan) => { plan.nodes.email!.retry.initialIntervalMs = 200; adjust?.(plan); } });
  const ids = await seedCustomers(w.ctx, { count: 1, ownerId, tagId, prefix });
  return { flowId, customerId: ids[0]! };
}

describe('a send whose worker died after the provider accepted it', () => {
  let w: RuntimeWorld;
  beforeAll(async () => {
    // e-mail settles an unknown send after 2 s here (at once by default), so the test can see "unknown"
    w = await createRuntimeWorld({ timeSkipping: true, wrapChannels: dieAfterHandOff(300), ledger: { leaseMs: 5000, pollMs: 50, settlement: { email: { kind: 'resend', waitMs: 2000 } } } });
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  }, 60_000);

  it('shows the step as unknown, resends with the same Message-ID, records it once and the run goes on', async () => {
    const { flowId, customerId } = await setup(w, 'unknown');
    expect(await sweepFlow(w.ctx, flowId)).toMatchObject({ started: 1 });
    const to = `c-unknown-0@example.com`;
    await eventually(async () => (await emailSteps(w, flowId)).some((s) => s.status === 'unknown'), 'the email step to show "unknown"', 60_000);
    const [unknown] = (await emailSteps(w, flowId)).map(presentStep);
    expect(unknown).toMatchObject({ status: 'unknown', output: { send: { state: 'unknown', channel: 'email' } } });

    await eventually(async () => {
      const [run] = await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId));
      return run?.status === 'completed';
    }, 'the run to go on and complete', 120_000);
    const mails = w.smtp.messages.filter((m) => m.envelopeTo.includes(to));
    expect(mails).toHaveLength(2); // the one the dead worker handed over and the resend…
    expect(new Set(mails.map((m) => m.messageId)).size).toBe(1); // …with one Message-ID, so the recipient's system shows one
    const [step] = await emailSteps(w, flowId);
    expect(step).toMatchObject({ status: 'done', error: null });
    const [run] = await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId));
    const [row] = await w.ctx.db.db.select().from(schema.channelSends).where(eq(schema.channelSends.idempotencyKey, `email:${run!.id}:email:1`));
    expect(row).toMatchObject({ state: 'sent', claims: 2, settledBy: 'resend' });
    const timeline = await w.ctx.db.db.select().from(schema.interactions).where(and(eq(schema.interactions.customerId, customerId), inArray(schema.interactions.kind, ['message_out'])));
    expect(timeline).toHaveLength(1);
  }, 240_000);

  it('"retry step" on a failed send re-attempts it and sends once', async () => {
    w.engine.lite!.lockTimeSkipping(); // the failed run stays open for the retry
    try {
      // one attempt only: the "killed" attempt fails the step
      const { flowId, customerId } = await setup(w, 'retry', (plan) => void (plan.nodes.email!.retry.maximumAttempts = 1));
      expect(await sweepFlow(w.ctx, flowId)).toMatchObject({ started: 1 });
      const runRow = async () => (await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId)))[0]!;
      await eventually(async () => (await runRow()).status === 'failed', 'the email step to fail', 60_000);
      const to = 'c-retry-0@example.com';
      expect(w.smtp.messages.filter((m) => m.envelopeTo.includes(to))).toHaveLength(1);
      const [failed] = await emailSteps(w, flowId);
      expect(failed!.status).toBe('failed');

      const retry = await retryStep(w.ctx, admin, (await runRow()).id, failed!.id);
      expect(retry.mode).toBe('signal');
      await eventually(async () => (await emailSteps(w, flowId)).some((s) => s.status === 'done'), 'the retried email step to be done', 60_000);
      const mails = w.smtp.messages.filter((m) => m.envelopeTo.includes(to));
      expect(mails).toHaveLength(2); // the retry sent exactly once (the same Message-ID as the lost attempt)
      expect(new Set(mails.map((m) => m.messageId)).size).toBe(1);
      const timeline = await w.ctx.db.db.select().from(schema.interactions).where(and(eq(schema.interactions.customerId, customerId), eq(schema.interactions.kind, 'message_out')));
      expect(timeline).toHaveLength(1);
      expect((await runRow()).status).not.toBe('failed');
    } finally {
      w.engine.lite!.unlockTimeSkipping();
    }
    await eventually(async () => (await w.ctx.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.status, 'completed'))).length >= 2, 'the retried run to complete', 120_000);
  }, 240_000);
});
