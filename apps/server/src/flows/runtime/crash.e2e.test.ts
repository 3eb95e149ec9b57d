/**
 * A worker killed in the middle of sending: the SMTP server has the mail, the activity's
 * completion never reaches Temporal (the worker is abandoned after 100 ms), the activity times
 * out on the server and is retried on a new worker. The retry must not send again (channel_sends
 * ledger) nor write the timeline twice (advisory-locked insert), even though the zombie attempt
 * keeps running and finishes after the kill. PGlite, or Postgres with DATABASE_URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { followUpFlow } from '@nudge/workflow-nodes/testing';
import type { Channels } from '@nudge/channels';
import { sweepFlow } from './triggers.js';
import { createPotentialSegment, createRuntimeWorld, createTag, createUser, eventually, onJavaTestServer, publishFlow, runStatusCounts, seedCustomers, type RuntimeWorld } from './test-support.js';

/** Sends for real, then hangs before answering: the window in which the worker dies. */
const hangAfterSend = (channels: Channels, ms: number): Channels => ({
  ...channels,
  async send(channel, message) {
    const result = await channels.send(channel, message);
    await new Promise((r) => setTimeout(r, ms));
    return result;
  },
});

// not on the Java test server (see onJavaTestServer)
describe.skipIf(onJavaTestServer)('worker killed mid-send', () => {
  let w: RuntimeWorld;
  beforeAll(async () => {
    w = await createRuntimeWorld({ timeSkipping: true, wrapChannels: (c) => hangAfterSend(c, 1500), shutdownForceTime: '100ms' });
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  }, 60_000);

  it('retries the send on a new worker without a second email or timeline entry', async () => {
    const ownerId = await createUser(w.ctx);
    const tagId = await createTag(w.ctx, 'potential');
    const segmentId = await createPotentialSegment(w.ctx);
    const graph = followUpFlow();
    graph.nodes[0]!.data.config = { segmentId };
    // a 3 s attempt timeout for the email step, so the lost attempt is retried quickly
    const { flowId } = await publishFlow(w.ctx, graph, { adjustPlan: (plan) => void (plan.nodes.email!.timeoutMs = 3000) });
    const ids = await seedCustomers(w.ctx, { count: 5, ownerId, tagId, prefix: 'zombie' });

    expect(await sweepFlow(w.ctx, flowId)).toMatchObject({ started: 5 });
    await w.smtp.waitForMessages(5, 20_000); // all five mails delivered, every activity still hanging
    const stepsBefore = await w.ctx.db.db.select().from(schema.flowRunSteps).where(eq(schema.flowRunSteps.flowId, flowId));
    expect(stepsBefore.filter((s) => s.status === 'done')).toHaveLength(0); // no attempt has reported back
    await w.runtime.stop(); // abandoned after 100 ms: the completions are lost
    await w.restartWorker();

    await eventually(async () => (await runStatusCounts(w.ctx, flowId)).completed === 5, 'the five runs to complete', 120_000);
    expect(w.smtp.messages.filter((m) => m.envelopeTo[0]?.startsWith('c-zombie-'))).toHaveLength(5);
    const timeline = await w.ctx.db.db
      .select({ customerId: schema.interactions.customerId, kind: schema.interactions.kind })
      .from(schema.interactions)
      .where(and(inArray(schema.interactions.customerId, ids), inArray(schema.interactions.kind, ['message_out', 'task'])));
    expect(timeline.filter((t) => t.kind === 'message_out')).toHaveLength(5);
    expect(timeline.filter((t) => t.kind === 'task')).toHaveLength(5);
    const emailSteps = await w.ctx.db.db
      .select()
      .from(schema.flowRunSteps)
      .where(and(eq(schema.flowRunSteps.flowId, flowId), eq(schema.flowRunSteps.nodeId, 'email')));
    expect(emailSteps).toHaveLength(5);
    expect(emailSteps.every((s) => s.status === 'done' && s.attempt >= 2)).toBe(true); // each send was retried after the kill
  }, 480_000); // its waits are bounded (20 s, 120 s); the rest is slow only on a loaded machine
});
