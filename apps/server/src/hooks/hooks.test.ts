// POST /api/hooks/<hookId> against the real runtime (temporal-lite with time skipping, the SDK
// worker): JSON and form bodies, customers found or created, idempotency under concurrent
// duplicates, signatures and tokens, rate limits, 4xx errors naming the field, masking, OpenAPI,
// and seconds-long waits. PGlite, or Postgres when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { and, eq, sql } from 'drizzle-orm';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { schema } from '@nudge/db';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { createApp } from '../app.js';
import { createSession } from '../auth/service.js';
import { createRuntimeWorld, eventually, onJavaTestServer, publishFlow, type RuntimeWorld } from '../flows/runtime/test-support.js';
import { heldLocks, signHookBody } from './service.js';

let world: RuntimeWorld;
let http: ReturnType<typeof request>;
let server: Server;
let manager: { Authorization: string };

const hookFlow = (trigger: Record<string, unknown>, rest: { nodes?: ReturnType<typeof step>[]; edges?: ReturnType<typeof edge>[] } = {}) => ({
  nodes: [step('trigger', 'trigger.webhook@1', trigger), step('note', 'action.add_note@1', { text: 'Form sent' }), ...(rest.nodes ?? [])],
  edges: [edge('trigger', 'next', 'note'), ...(rest.edges ?? [])],
});
const again = { enrollment: { mode: 'again_after_days' as const, days: 0 } };

const customersWith = async (where: ReturnType<typeof sql>) => world.db.db.select().from(schema.customers).where(where);
const runsOf = async (flowId: string) => world.db.db.select().from(schema.flowRuns).where(eq(schema.flowRuns.flowId, flowId));
const uniq = (p: string) => `${p}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  world = await createRuntimeWorld();
  // one listening server, so that concurrent requests really overlap (request(app) would open one per request)
  server = createApp(world.ctx).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  http = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const [u] = await world.db.db.insert(schema.users).values({ email: `m-${randomBytes(3).toString('hex')}@test.local`, name: 'M', passwordHash: 'x', role: 'manager' }).returning();
  manager = { Authorization: `Bearer ${(await createSession(world.db, u!.id, new Date())).token}` };
}, 120_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await world?.close();
});

describe('POST /api/hooks/:hookId', () => {
  it('starts the flow for the customer of a JSON body, creating them, and answers 202 with the run id at once', async () => {
    const hookId = uniq('signup');
    const { flowId } = await publishFlow(world.ctx, hookFlow({ hookId }));
    const res = await http.post(`/api/hooks/${hookId}`).send({ email: ' Ana@Example.COM ', name: 'Ana Lee', plan: 'pro' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ customerCreated: true, replayed: false, runs: [{ flowId, outcome: 'started' }] });
    expect(res.body.runId).toBe(res.body.runs[0].runId);
    // the answer names ids only, never the e-mail sent
    expect(JSON.stringify(res.body)).not.toContain('example.com');
    const [customer] = await customersWith(sql`${schema.customers.id} = ${res.body.customerId}`);
    expect(customer).toMatchObject({ email: 'ana@example.com', fullName: 'Ana Lee', source: 'webhook' });
    // its audit row, written in the customer's own statement
    const audit = await world.db.db.select().from(schema.auditLog).where(and(eq(schema.auditLog.entityId, res.body.customerId), eq(schema.auditLog.action, 'customer.create')));
    expect(audit).toMatchObject([{ entityType: 'customer', actorId: null, fields: expect.arrayContaining(['fullName', 'email', 'source']) }]);
    await eventually(async () => (await runsOf(flowId))[0]?.status === 'completed', 'the run to complete');
    const [run] = await runsOf(flowId);
    expect(run!.id).toBe(res.body.runId);
    // the run's first workflow task came back with the start's answer (eager start: the client and
    // the flow worker share one connection), so no poll stood between the webhook and the first step
    const history = await world.ctx.temporal!.client.workflow.getHandle(run!.workflowId).fetchHistory();
    if (!onJavaTestServer) expect(history.events![0]!.workflowExecutionStartedEventAttributes!.eagerExecutionAccepted).toBe(true);
    // an existing customer is found, not created again
    const second = await http.post(`/api/hooks/${hookId}`).send({ email: 'ana@example.com' });
    expect(second.status).toBe(202);
    expect(second.body).toMatchObject({ customerId: res.body.customerId, customerCreated: false });
  });

  it('takes an HTML form (application/x-www-form-urlencoded), flat dotted field names included', async () => {
    const hookId = uniq('contact');
    const { flowId } = await publishFlow(world.ctx, hookFlow({ hookId, identifierField: 'contact.email', nameField: 'contact.name' }));
    const res = await http
      .post(`/api/hooks/${hookId}`)
      .type('form')
      .send('contact.email=bo%40example.com&contact.name=Bo+Chen&interest=a&interest=b');
    expect(res.status).toBe(202);
    const [customer] = await customersWith(sql`${schema.customers.id} = ${res.body.customerId}`);
    expect(customer).toMatchObject({ email: 'bo@example.com', fullName: 'Bo Chen' });
    expect((await runsOf(flowId)).map((r) => r.id)).toEqual([res.body.runId]);
  });

  it('the same Idempotency-Key sent 5 times at once starts one run and answers its id 5 times', async () => {
    const hookId = uniq('orders');
    const { flowId } = await publishFlow(world.ctx, hookFlow({ hookId }), again);
    const email = `${uniq('dup')}@example.com`;
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => http.post(`/api/hooks/${hookId}`).set('Idempotency-Key', 'order-1001').send({ email, order: 1001 })),
    );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    const ids = new Set(answers.map((a) => a.body.runId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toEqual(expect.any(String));
    expect(answers.filter((a) => a.body.replayed).length).toBe(4);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length).toBe(4);
    expect(await runsOf(flowId)).toHaveLength(1);
    expect(await customersWith(sql`${schema.customers.email} = ${email}`)).toHaveLength(1);
    // later, once more: the same answer; the key with another body is refused
    const later = await http.post(`/api/hooks/${hookId}`).set('Idempotency-Key', 'order-1001').send({ email, order: 1001 });
    expect(later.body.runId).toBe([...ids][0]);
    const reused = await http.post(`/api/hooks/${hookId}`).set('Idempotency-Key', 'order-1001').send({ email, order: 1002 });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    // a new key is a new run (again-after-0-days flow), once the first has finished
    await eventually(async () => (await runsOf(flowId))[0]?.status === 'completed', 'the first run to complete');
    const fresh = await http.post(`/api/hooks/${hookId}`).set('Idempotency-Key', 'order-1002').send({ email, order: 1002 });
    expect(fresh.body.runs[0].outcome).toBe('started');
    expect(fresh.body.runId).not.toBe([...ids][0]);
    expect(heldLocks()).toBe(0);
  });

  it('is idempotent by a body field the trigger names, and creates one customer for concurrent requests about a new one', async () => {
    const hookId = uniq('crm');
    const { flowId } = await publishFlow(world.ctx, hookFlow({ hookId, idempotencyField: 'event.id' }), again);
    const email = `${uniq('field')}@example.com`;
    const answers = await Promise.all(Array.from({ length: 5 }, () => http.post(`/api/hooks/${hookId}`).send({ email, event: { id: 'evt_77' } })));
    expect(new Set(answers.map((a) => a.body.runId)).size).toBe(1);
    expect(await runsOf(flowId)).toHaveLength(1);
    const missing = await http.post(`/api/hooks/${hookId}`).send({ email });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ path: 'body.event.id', message: expect.stringContaining('missing') }]);
    // without any key: requests about the same new customer at once still make one customer
    const other = `${uniq('nokey')}@example.com`;
    const { flowId: flow2 } = await publishFlow(world.ctx, hookFlow({ hookId: uniq('nokey') }), again);
    const hook2 = ((await world.db.db.select().from(schema.flowVersions).where(eq(schema.flowVersions.flowId, flow2)))[0]!.plan as { trigger: { config: { hookId: string } } }).trigger.config.hookId;
    const burst = await Promise.all(Array.from({ length: 6 }, () => http.post(`/api/hooks/${hook2}`).send({ email: other })));
    expect(burst.map((b) => b.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(await customersWith(sql`${schema.customers.email} = ${other}`)).toHaveLength(1);
  });

  it('requires a valid HMAC-SHA256 signature when the trigger says so; a bad one starts nothing', async () => {
    const hookId = uniq('signed');
    const { flowId } = await publishFlow(world.ctx, hookFlow({ hookId, auth: 'hmac' }));
    const body = JSON.stringify({ email: `${uniq('sig')}@example.com` });
    const noSecret = await http.post(`/api/hooks/${hookId}`).type('json').send(body);
    expect(noSecret.status).toBe(503);
    expect(noSecret.body.error.message).toContain(`/api/hooks/${hookId}/secret`);
    expect((await http.post(`/api/hooks/${hookId}/secret`)).status).toBe(401);
    const created = await http.post(`/api/hooks/${hookId}/secret`).set(manager);
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret.length).toBeGreaterThanOrEqual(40);

    const unsigned = await http.post(`/api/hooks/${hookId}`).type('json').send(body);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error.code).toBe('signature_missing');
    const wrongKey = await http.post(`/api/hooks/${hookId}`).type('json').set('X-Nudge-Signature', signHookBody('not-the-secret', body)).send(body);
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error.code).toBe('bad_signature');
    // signed, then the body changed on the way (a space): refused
    const tampered = await http.post(`/api/hooks/${hookId}`).type('json').set('X-Nudge-Signature', signHookBody(secret, body)).send(body.replace(':', ': '));
    expect(tampered.status).toBe(401);
    expect(await runsOf(flowId)).toHaveLength(0);
    expect(await customersWith(sql`${schema.customers.email} = ${JSON.parse(body).email}`)).toHaveLength(0);

    const good = await http.post(`/api/hooks/${hookId}`).type('json').set('X-Nudge-Signature', signHookBody(secret, body)).send(body);
    expect(good.status).toBe(202);
    expect((await runsOf(flowId)).map((r) => r.id)).toEqual([good.body.runId]);
  });

  it('requires the bearer token when the trigger says so', async () => {
    const hookId = uniq('token');
    await publishFlow(world.ctx, hookFlow({ hookId, auth: 'token' }));
    const secret = (await http.post(`/api/hooks/${hookId}/secret`).set(manager)).body.secret as string;
    const email = `${uniq('tok')}@example.com`;
    expect((await http.post(`/api/hooks/${hookId}`).send({ email })).status).toBe(401);
    const wrong = await http.post(`/api/hooks/${hookId}`).set('Authorization', 'Bearer nope').send({ email });
    expect(wrong.body.error.code).toBe('bad_token');
    expect((await http.post(`/api/hooks/${hookId}`).set('Authorization', `Bearer ${secret}`).send({ email })).status).toBe(202);
  });

  it('answers clear 4xx errors naming the field, without echoing a phone or e-mail', async () => {
    const hookId = uniq('valid');
    const { flowId } = await publishFlow(world.ctx, hookFlow({ hookId }));
    const missing = await http.post(`/api/hooks/${hookId}`).send({ name: 'No Mail' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'invalid_input', details: [{ path: 'body.email' }] });
    const bad = await http.post(`/api/hooks/${hookId}`).send({ email: 'ana-at-example' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('body.email: not an e-mail address.');
    expect((await http.post(`/api/hooks/${hookId}`).type('json').send('{"email": ')).body.error.code).toBe('invalid_json');
    expect((await http.post(`/api/hooks/${hookId}`).send([{ email: 'a@b.co' }])).status).toBe(400);
    expect((await http.post(`/api/hooks/${hookId}`).type('text/plain').send('email=a@b.co')).status).toBe(415);
    expect((await http.post(`/api/hooks/${hookId}`).set('Idempotency-Key', 'x'.repeat(201)).send({ email: 'a@b.co' })).body.error.details[0].path).toBe('headers.idempotency-key');
    const big = await http.post(`/api/hooks/${hookId}`).send({ email: 'a@b.co', pad: 'x'.repeat(300_000) });
    expect(big.status).toBe(413);
    expect((await http.post('/api/hooks/no-such-hook').send({ email: 'a@b.co' })).status).toBe(404);
    expect((await http.post('/api/hooks/Bad!').send({})).status).toBe(404);

    const phoneHook = uniq('phone');
    await publishFlow(world.ctx, hookFlow({ hookId: phoneHook, identifyBy: 'phone', identifierField: 'tel' }));
    const badPhone = await http.post(`/api/hooks/${phoneHook}`).send({ tel: '+1 555 12' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.details[0].path).toBe('body.tel');
    expect(JSON.stringify(badPhone.body)).not.toMatch(/555\D?12/); // the number is not echoed (ids may hold any digits)
    const goodPhone = await http.post(`/api/hooks/${phoneHook}`).send({ tel: '+886 912 345 678', name: 'Mei' });
    expect(goodPhone.status).toBe(202);
    expect(JSON.stringify(goodPhone.body)).not.toMatch(/912\D?345\D?678/);
    expect((await customersWith(sql`${schema.customers.id} = ${goodPhone.body.customerId}`))[0]!.phone).toBe('+886912345678');

    // a paused flow stops listening
    await world.db.db.update(schema.flows).set({ status: 'paused' }).where(eq(schema.flows.id, flowId));
    const { invalidateActiveFlows } = await import('../flows/runtime/triggers.js');
    invalidateActiveFlows();
    expect((await http.post(`/api/hooks/${hookId}`).send({ email: 'a@b.co' })).status).toBe(404);
  });

  it('finds customers by id or by an external id (a custom field), and refuses unknown ids when it may not create', async () => {
    await world.db.db.insert(schema.customFieldDefinitions).values({ key: 'crm_id', label: 'CRM id', type: 'text' }).onConflictDoNothing();
    const extHook = uniq('ext');
    await publishFlow(world.ctx, hookFlow({ hookId: extHook, identifyBy: 'external_id', identifierField: 'id', externalIdKey: 'crm_id' }));
    const first = await http.post(`/api/hooks/${extHook}`).send({ id: 'CRM-42', name: 'Zoe' });
    expect(first.status).toBe(202);
    expect(first.body.customerCreated).toBe(true);
    const again2 = await http.post(`/api/hooks/${extHook}`).send({ id: 'CRM-42' });
    expect(again2.body).toMatchObject({ customerId: first.body.customerId, customerCreated: false });

    const idHook = uniq('byid');
    const { flowId } = await publishFlow(world.ctx, hookFlow({ hookId: idHook, identifyBy: 'customer_id', identifierField: 'customer' }));
    const ok = await http.post(`/api/hooks/${idHook}`).send({ customer: first.body.customerId });
    expect(ok.status).toBe(202);
    expect((await runsOf(flowId))[0]!.customerId).toBe(first.body.customerId);
    const unknown = await http.post(`/api/hooks/${idHook}`).send({ customer: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'customer_not_found', details: [{ path: 'body.customer' }] });
    expect((await http.post(`/api/hooks/${idHook}`).send({ customer: 'nope' })).status).toBe(400);
  });

  it('rate-limits per hook with the trigger’s limit (429 and Retry-After), other hooks unaffected', async () => {
    const hookId = uniq('limited');
    const other = uniq('free');
    await publishFlow(world.ctx, hookFlow({ hookId, rateLimitPerMinute: 3 }));
    await publishFlow(world.ctx, hookFlow({ hookId: other }));
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await http.post(`/api/hooks/${hookId}`).send({ email: `r${i}@example.com` })).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const limited = await http.post(`/api/hooks/${hookId}`).send({ email: 'r9@example.com' });
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await http.post(`/api/hooks/${other}`).send({ email: 'r9@example.com' })).status).toBe(202);
  });

  it('runs a wait of seconds on the engine (≥ 1 s)', async () => {
    const hookId = uniq('quick');
    const { flowId } = await publishFlow(
      world.ctx,
      hookFlow(
        { hookId },
        { nodes: [step('wait', 'control.wait@1', { duration: { amount: 2, unit: 'seconds' } }), step('after', 'action.add_note@1', { text: 'After the wait' })], edges: [edge('note', 'next', 'wait'), edge('wait', 'next', 'after')] },
      ),
    );
    const res = await http.post(`/api/hooks/${hookId}`).send({ email: `${uniq('wait')}@example.com` });
    expect(res.status).toBe(202);
    await eventually(async () => (await runsOf(flowId))[0]?.status === 'completed', 'the run to pass the 2 s wait');
    const steps = await world.db.db.select().from(schema.flowRunSteps).where(and(eq(schema.flowRunSteps.runId, res.body.runId), eq(schema.flowRunSteps.nodeId, 'wait')));
    expect(steps).toHaveLength(1);
    const s = steps[0]!;
    expect(s.status).toBe('done');
    // the durable timer the workflow set: 2 s (time skipping fires it at once)
    const [run] = await runsOf(flowId);
    const history = await world.engine.client.workflow.getHandle(run!.workflowId).fetchHistory();
    const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes).map((e) => e.timerStartedEventAttributes!.startToFireTimeout);
    expect(timers.map((d) => Number(d?.seconds ?? 0) * 1000 + Math.round((d?.nanos ?? 0) / 1e6))).toEqual([expect.closeTo(2_000, -2)]);
    expect((s.output as { untilMs: number }).untilMs).toEqual(expect.any(Number));
  });

  it('is in the OpenAPI document, with both body types', async () => {
    const doc = (await http.get('/api/openapi.json')).body;
    const op = doc.paths['/api/hooks/{hookId}'].post;
    expect(Object.keys(op.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['202', '400', '401', '404', '409', '415', '422', '429']));
    expect(doc.paths['/api/hooks/{hookId}/secret'].post).toBeTruthy();
  });
});
