/**
 * Test data for the tests that walk every route of the OpenAPI document (masking.test.ts,
 * fuzz.test.ts): customers whose phones and e-mails show up in every kind of answer — the
 * customer itself, its timeline (an inbound WhatsApp message's `payload.from`, a sent e-mail's
 * `payload.to`), run step outputs, a test run's results, notifications, tags, segments,
 * suppressions, exports — and a real id for every path parameter.
 */
import { signWhatsAppPayload, whatsAppMessageWebhook } from '@nudge/channels';
import { schema } from '@nudge/db';
import { edge, step } from '@nudge/workflow-nodes/testing';
import type { TestApp, TestUser } from './testing.js';

export const WEBHOOK_SECRET = 'boundary-app-secret';
export const SMS_TOKEN = 'boundary-sms-token';

/** The contact values that must never reach a masked user, with how to find them in any answer. */
export const CONTACTS = {
  phoneA: '+886933444555',
  emailA: 'ana.lopez@example.com',
  phoneB: '+886955666777',
  emailC: 'carl.owner@example.org',
};

/** A phone's national digits with any separators between them; an e-mail in any case. */
export function leakPatterns(): { name: string; re: RegExp }[] {
  const digits = (national: string) => new RegExp(national.split('').join('[\\s\\-().\\u00a0]{0,2}'));
  return [
    { name: 'phone A', re: digits('933444555') },
    { name: 'phone B', re: digits('955666777') },
    { name: 'email A', re: /ana\.lopez@example\.com/i },
    { name: 'email C', re: /carl\.owner@example\.org/i },
  ];
}

export function findLeaks(text: string): string[] {
  return leakPatterns().filter((p) => p.re.test(text)).map((p) => p.name);
}

export interface BoundaryData {
  admin: TestUser;
  viewer: TestUser;
  /** an agent without contact.unmask but with the export right, owning the seeded customers */
  agent: TestUser;
  ids: {
    customerA: string;
    customerB: string;
    tagGroup: string;
    tag: string;
    segment: string;
    flow: string;
    run: string;
    testRun: string;
    step: string;
    fieldKey: string;
    importJob: string;
  };
}

export async function seedBoundaryData(t: TestApp): Promise<BoundaryData> {
  const admin = await t.user('admin');
  const viewer = await t.user('viewer');
  const agent = await t.user('agent', { rights: ['customers.export'] });
  const ok = (res: { status: number; body: unknown; text?: string }, what: string) => {
    if (res.status >= 300) throw new Error(`seeding ${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Record<string, any>;
  };
  const as = admin.auth;

  const field = ok(await t.http.post('/api/customers/fields').set(as).send({ key: 'backup_contact', label: 'Backup contact', type: 'text' }), 'field');
  const group = ok(await t.http.post('/api/tags/groups').set(as).send({ name: 'Stage', dimension: 'behaviour' }), 'tag group');
  const tag = ok(await t.http.post('/api/tags').set(as).send({ name: 'hot-lead', groupId: group.id, defaultLifetimeHours: 48 }), 'tag');

  const a = ok(await t.http.post('/api/customers').set(as).send({
    fullName: 'Ana López', phone: '0933-444-555', email: 'Ana.Lopez@example.com', whatsappId: '886933444555', ownerId: agent.id,
    company: 'Acme', customFields: { backup_contact: `her assistant ${CONTACTS.emailC}` },
  }), 'customer A');
  // first contact by SMS from an unknown number: the customer is named after the number
  const sms = await t.http.post('/api/webhooks/sms').set('Authorization', `Bearer ${SMS_TOKEN}`).send({ from: '+886 955 666 777', text: 'hello?', id: 'sms-seed-1' });
  const b = ok(sms, 'customer B by SMS');
  ok(await t.http.patch(`/api/customers/${b.customerId}`).set(as).send({ ownerId: agent.id }), 'owner of B');

  const raw = JSON.stringify(whatsAppMessageWebhook(
    { from: '886933444555', name: 'Ana López', id: 'wamid.seed-1', text: `my office: ${CONTACTS.emailC}`, at: 1_795_600_000_000 },
    { displayPhoneNumber: '+886 2 2345 6789', phoneNumberId: 'pn-1', businessAccountId: 'waba' },
  ));
  ok(await t.http.post('/api/webhooks/whatsapp').set('Content-Type', 'application/json').set('X-Hub-Signature-256', signWhatsAppPayload(raw, WEBHOOK_SECRET)).send(raw), 'WhatsApp message');
  ok(await t.http.post(`/api/customers/${a.id}/notes`).set(as).send({ body: `Call back on 0933 444 555 or write to ${CONTACTS.emailA}` }), 'note');
  ok(await t.http.post(`/api/customers/${a.id}/tags`).set(as).send({ tag: tag.id }), 'tag A');
  ok(await t.http.post(`/api/customers/${b.customerId}/tags`).set(as).send({ tag: tag.id }), 'tag B');

  const segment = ok(await t.http.post('/api/segments').set(as).send({ name: 'Hot leads', definition: { type: 'has_tag', tag: 'hot-lead' } }), 'segment');
  const graph = {
    nodes: [
      step('trigger', 'trigger.segment_entry@1', { segmentId: segment.id }, 'Hot leads'),
      step('email', 'action.send_message@1', { channel: 'email', subject: 'Hi {name}', body: 'Still interested, {name}?' }),
      step('done', 'control.end@1'),
    ],
    edges: [edge('trigger', 'next', 'email'), edge('email', 'next', 'done')],
  };
  const flow = ok(await t.http.post('/api/flows').set(as).send({ name: 'Follow up hot leads', graph }), 'flow');
  ok(await t.http.post(`/api/flows/${flow.id}/publish`).set(as).send({ note: 'first', enroll: 'existing' }), 'publish');
  const [version] = await t.db.db.select().from(schema.flowVersions);
  ok(await t.http.post(`/api/flows/${flow.id}/suppressions`).set(as).send({ customerIds: [b.customerId], reason: 'asked to stop' }), 'suppression');
  ok(await t.http.post('/api/suppressions').set(as).send({ customerIds: [b.customerId], reason: 'global stop' }), 'global suppression');

  // a run that sent an e-mail and then failed, and a test run — as the runtime writes them
  const db = t.db.db;
  const [run] = await db.insert(schema.flowRuns).values({
    flowId: flow.id, flowVersionId: version!.id, customerId: a.id, workflowId: `seed-run-${a.id}`, enrollmentKey: 'seed',
    status: 'failed', exitReason: 'failed', error: `SMTP 550: mailbox ${CONTACTS.emailA} unavailable`, finishedAt: new Date(),
  }).returning();
  const [st] = await db.insert(schema.flowRunSteps).values([
    { runId: run!.id, flowId: flow.id, nodeId: 'email', nodeKey: 'action.send_message@1', seq: 1, status: 'done', port: 'next',
      output: { channel: 'email', to: CONTACTS.emailA, messageId: '<seed@nudge.local>' }, finishedAt: new Date() },
    { runId: run!.id, flowId: flow.id, nodeId: 'done', nodeKey: 'control.end@1', seq: 2, status: 'failed', error: `could not reach ${CONTACTS.phoneA}` },
  ]).returning();
  const [testRun] = await db.insert(schema.flowRuns).values({
    flowId: flow.id, customerId: b.customerId, workflowId: `seed-test-${b.customerId}`, enrollmentKey: 'test', isTest: true, status: 'completed', exitReason: 'end', finishedAt: new Date(),
  }).returning();
  await db.insert(schema.flowRunSteps).values({
    runId: testRun!.id, flowId: flow.id, nodeId: 'email', nodeKey: 'action.send_message@1', seq: 1, status: 'done', port: 'next',
    output: { channel: 'sms', to: CONTACTS.phoneB, dryRun: true, text: 'Still interested, +886955666777?' }, finishedAt: new Date(),
  });
  // what the send activity writes on the timeline, and notifications for the masked users
  await db.insert(schema.interactions).values([
    { customerId: a.id, kind: 'message_out', channel: 'email', body: 'Still interested, Ana López?', payload: { to: CONTACTS.emailA, subject: 'Hi Ana López', flowId: flow.id, runId: run!.id } },
    ...[viewer, agent, admin].map((u) => ({
      customerId: a.id, kind: 'system' as const, body: `Ana López (${CONTACTS.phoneA}, ${CONTACTS.emailA}) asked for a call`,
      payload: { event: 'notify_user', userId: u.id, title: `Call ${CONTACTS.phoneA}`, flowId: flow.id, runId: run!.id, nodeId: 'email' },
    })),
  ]);

  // an import (admins' routes need a real id as well)
  const preview = await t.http.post('/api/import/preview').query({ fileName: 'seed.csv' }).set(as).set('Content-Type', 'text/csv')
    .send(Buffer.from(`name,phone,email\nImported One,0912 733 001,${'imported.one@example.net'}\nBroken,12,\n`));
  const up = ok(preview, 'import preview');
  const job = ok(await t.http.post('/api/import').set(as).send({ uploadId: up.uploadId, mode: 'skip-invalid', defaultRegion: 'TW' }), 'import');
  const { waitForImport } = await import('../import/service.js');
  await waitForImport(job.id);

  return {
    admin,
    viewer,
    agent,
    ids: {
      customerA: a.id,
      customerB: b.customerId,
      tagGroup: group.id,
      tag: tag.id,
      segment: segment.id,
      flow: flow.id,
      run: run!.id,
      testRun: testRun!.id,
      step: st!.id,
      fieldKey: field.key ?? 'backup_contact',
      importJob: job.id,
    },
  };
}

/** Fills the path parameters of an OpenAPI path with real ids (every variant for /api/runs/{id}). */
export function realUrls(path: string, d: BoundaryData): string[] {
  const { ids } = d;
  const idFor = (p: string): string[] => {
    if (p.startsWith('/api/users/')) return [d.viewer.id];
    if (p.startsWith('/api/customers/fields/')) return [ids.fieldKey];
    if (p.startsWith('/api/customers/')) return [ids.customerA];
    if (p.startsWith('/api/tags/groups/')) return [ids.tagGroup];
    if (p.startsWith('/api/tags/')) return [ids.tag];
    if (p.startsWith('/api/segments/')) return [ids.segment];
    if (p.startsWith('/api/flows/')) return [ids.flow];
    if (p.startsWith('/api/runs/')) return [ids.run, ids.testRun];
    if (p.startsWith('/api/import/')) return [ids.importJob];
    return ['00000000-0000-4000-8000-000000000000'];
  };
  const fixed = (name: string): string | undefined =>
    ({ customerId: ids.customerA, key: ids.fieldKey, tag: ids.tag, stepId: ids.step, version: '1' } as Record<string, string>)[name];
  const out: string[] = [];
  for (const id of idFor(path)) {
    out.push(path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'id' ? id : fixed(name) ?? id)));
  }
  return out;
}
