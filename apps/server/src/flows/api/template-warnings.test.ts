// The validator warns (node + field) when a template variable without a fallback is empty for
// more than 20 % of the customers the flow targets; a fallback ({company|your company}) silences it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge, step } from '@nudge/workflow-nodes/testing';
import { createTestApp, type TestApp, type TestUser } from '../../http/testing.js';

let t: TestApp;
let manager: TestUser;
let segmentId: string;

beforeAll(async () => {
  t = await createTestApp();
  manager = await t.user('manager');
  await t.http.post('/api/tags').set(manager.auth).send({ name: 'webinar' });
  for (let i = 0; i < 10; i++) {
    const c = await t.http.post('/api/customers').set(manager.auth).send({ fullName: `Guest ${i}`, ...(i < 7 ? { company: `Co ${i}` } : {}) });
    await t.http.post(`/api/customers/${c.body.id}/tags`).set(manager.auth).send({ tag: 'webinar' });
  }
  // customers outside the segment, all without a company, must not count
  for (let i = 0; i < 5; i++) await t.http.post('/api/customers').set(manager.auth).send({ fullName: `Other ${i}`, company: i ? undefined : 'X' });
  const seg = await t.http.post('/api/segments').set(manager.auth).send({ name: 'Webinar guests', definition: { type: 'has_tag', tag: 'webinar' } });
  segmentId = seg.body.id;
});
afterAll(() => t?.close());

const graphWith = (body: string) => ({
  nodes: [
    step('trigger', 'trigger.segment_entry@1', { segmentId }),
    step('email', 'action.send_message@1', { channel: 'email', subject: 'Hi {name}', body }),
    step('done', 'control.end@1'),
  ],
  edges: [edge('trigger', 'next', 'email'), edge('email', 'next', 'done')],
});

async function validate(body: string) {
  const flow = await t.http.post('/api/flows').set(manager.auth).send({ name: `F ${body}`, graph: graphWith(body) });
  const res = await t.http.post(`/api/flows/${flow.body.id}/validate`).set(manager.auth);
  expect(res.status).toBe(200);
  return res.body as { problems: unknown[]; warnings: { nodeId: string; field: string; code: string; variable: string; emptyShare: number; message: string }[] };
}

describe('often-empty template variables', () => {
  it('warns on the node and field when {company} is empty for 30 % of the segment', async () => {
    const res = await validate('Can we help with {company}?');
    expect(res.problems).toEqual([]);
    expect(res.warnings).toEqual([
      expect.objectContaining({ nodeId: 'email', field: 'body', code: 'template.often_empty', variable: 'company', emptyShare: 0.3 }),
    ]);
    expect(res.warnings[0]!.message).toMatch(/\{company\} is empty for 30 % of the customers this flow targets \(3 of 10\).*\{company\|…\}/);
  });

  it('is silent with a fallback, and for variables that are filled', async () => {
    expect((await validate('Can we help with {company|your company}, {name}?')).warnings).toEqual([]);
  });

  it('the warning does not block publishing', async () => {
    const flow = await t.http.post('/api/flows').set(manager.auth).send({ name: 'Publishable', graph: graphWith('At {company}?') });
    const pub = await t.http.post(`/api/flows/${flow.body.id}/publish`).set(manager.auth).send({ note: 'ok', enroll: 'existing' });
    expect(pub.status).toBeLessThan(300);
  });
});
