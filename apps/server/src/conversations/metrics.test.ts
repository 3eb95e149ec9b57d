/**
 * GET /api/inbox/metrics over constructed conversations where every figure has a known value:
 * trigger rate, keyword coverage (greetings and hand-off requests are not questions; messages
 * while a person is talking are not the bot's), unmatched questions grouped by folded text with
 * a phone masked, hand-off rate per rule (> 40% flagged), silence after a reply (a message 30 h
 * later is silence), response waits (several messages in one wait count from the first), first
 * response, resolution rate, the mean + 2σ alert per team; who may see what; bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';

let t: TestApp;
let admin: TestUser;
const T0 = Date.parse('2026-11-02T01:00:00Z');
const at = (min: number) => new Date(T0 + min * 60_000);
const PERIOD = { from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:00Z' };
let sales: string;
let service: string;
const rules: Record<string, string> = {};
const agents: Record<string, string> = {};

type Msg = [dir: 'in' | 'out', origin: string | null, minute: number, body: string, extra?: { rule?: string; author?: string }];

async function conversation(teamId: string, msgs: Msg[], opts: { status?: 'open' | 'resolved'; assignee?: string } = {}) {
  const [c] = await t.db.db.insert(schema.customers).values({ fullName: 'Metrics customer' }).returning({ id: schema.customers.id });
  const last = Math.max(...msgs.map((m) => m[2]));
  const [conv] = await t.db.db
    .insert(schema.conversations)
    .values({ customerId: c!.id, channel: 'whatsapp', teamId, status: opts.status ?? 'open', assigneeId: opts.assignee ?? null, lastMessageAt: at(last), createdAt: at(msgs[0]![2]) })
    .returning({ id: schema.conversations.id });
  await t.db.db.insert(schema.conversationMessages).values(
    msgs.map(([direction, origin, minute, body, extra]) => ({
      conversationId: conv!.id, customerId: c!.id, direction, channel: 'whatsapp', body, origin,
      ruleId: extra?.rule ? rules[extra.rule]! : null, authorId: extra?.author ? agents[extra.author]! : null,
      status: direction === 'in' ? ('received' as const) : ('read' as const), createdAt: at(minute),
    })),
  );
  return conv!.id;
}

const S = 1 / 60; // one second, in minutes

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.user('admin');
  sales = await t.team('Sales');
  service = await t.team('Service');
  for (const name of ['Price', 'Shipping', 'Unused']) {
    const [r] = await t.db.db.insert(schema.autoReplyRules).values({ name, kind: 'keyword', patterns: [name.toLowerCase()], replies: { default: name } }).returning();
    rules[name] = r!.id;
  }
  agents.s1 = (await t.user('agent', { teamId: sales, name: 'Sam Sales' })).id;
  for (let i = 1; i <= 7; i++) agents[`g${i}`] = (await t.user('agent', { teamId: service, name: `Agent ${i}` })).id;

  // --- team Sales: the auto-reply figures ---
  const price: Msg = ['in', null, 0, 'What is the price?'];
  const priceReply: Msg = ['out', 'auto_reply', S, 'Our prices…', { rule: 'Price' }];
  for (let i = 1; i <= 3; i++) {
    await conversation(sales, [
      price, priceReply,
      ['in', null, 10, 'human agent'], ['out', 'handoff', 10 + S, 'A colleague will answer'],
      ['out', 'agent', 30, 'Hello, I am Sam', { author: 's1' }],
      ...(i === 1 ? ([['in', null, 40, 'thanks']] as Msg[]) : []), // a person is talking: not the bot's
    ], { assignee: agents.s1!, status: i === 1 ? 'resolved' : 'open' });
  }
  await conversation(sales, [price, priceReply]); // silent
  await conversation(sales, [price, priceReply]); // silent
  const ship: Msg = ['in', null, 0, 'Shipping cost?'];
  const shipReply: Msg = ['out', 'auto_reply', S, 'Shipping is…', { rule: 'Shipping' }];
  await conversation(sales, [ship, shipReply, ['in', null, 120, 'How do I pay?']]);
  await conversation(sales, [ship, shipReply, ['in', null, 5, 'agent please'], ['out', 'handoff', 5 + S, 'A colleague will answer']]);
  await conversation(sales, [ship, shipReply]); // silent
  await conversation(sales, [ship, shipReply, ['in', null, 30 * 60, 'how do i pay']]); // 30 h later: silent
  await conversation(sales, [['in', null, 0, 'HOW DO I PAY??']]);
  await conversation(sales, [['in', null, 0, 'How do I pay?']]);
  await conversation(sales, [['in', null, 0, 'Call me at 0912-345-678']]);
  await conversation(sales, [['in', null, 0, 'Hi!'], ['out', 'welcome', S, 'Welcome']]);

  // --- team Service: the agents (6 answer in 10 min, Agent 7 in 60 min) ---
  const hi: Msg[] = [['in', null, 0, 'Hi'], ['out', 'welcome', S, 'Welcome']];
  await conversation(service, [...hi, ['out', 'agent', 10, 'Hello', { author: 'g1' }], ['in', null, 20, 'One more thing'], ['out', 'agent', 30, 'Sure', { author: 'g1' }]], { assignee: agents.g1!, status: 'resolved' });
  await conversation(service, [...hi, ['in', null, 5, 'anyone?'], ['out', 'agent', 10, 'Hello', { author: 'g2' }]], { assignee: agents.g2!, status: 'resolved' });
  for (let i = 3; i <= 7; i++) {
    await conversation(service, [...hi, ['out', 'agent', i === 7 ? 60 : 10, 'Hello', { author: `g${i}` }]], { assignee: agents[`g${i}`]!, status: i <= 4 ? 'resolved' : 'open' });
  }
  await conversation(service, hi, { assignee: agents.g1! }); // assigned, not answered yet
  // outside the period: must not count
  await conversation(sales, [['in', null, -3 * 24 * 60, 'What is the price?']]);
});
afterAll(async () => { await t?.close(); });

const get = (auth: { Authorization: string }, query: Record<string, string>) => t.http.get('/api/inbox/metrics').set(auth).query(query);

describe('auto-reply figures', () => {
  it('trigger rate, keyword coverage, unmatched questions (phone masked), hand-off per rule, silence', async () => {
    const res = await get(admin.auth, { ...PERIOD, teamId: sales });
    expect(res.status).toBe(200);
    const m = res.body;
    expect(m.autoReplies).toEqual({ inbound: 20, botMessages: 19, triggered: 14, triggerRate: 14 / 19, questions: 14, matched: 9, keywordCoverage: 9 / 14 });
    expect(m.unmatched).toEqual({ total: 5, top: [{ text: 'How do I pay?', count: 4 }, { text: 'Call me at 0912***678', count: 1 }] });
    expect(JSON.stringify(m)).not.toContain('345-678');
    const byName = Object.fromEntries(m.rules.map((r: { name: string }) => [r.name, r]));
    expect(byName.Price).toMatchObject({ ruleId: rules.Price, conversations: 5, handedOff: 3, handoffRate: 0.6, flagged: true });
    expect(byName.Shipping).toMatchObject({ conversations: 4, handedOff: 1, handoffRate: 0.25, flagged: false });
    expect(byName.Unused).toMatchObject({ conversations: 0, handoffRate: null, flagged: false });
    expect(m.silence).toEqual({ autoReplies: 9, decided: 9, silent: 4, share: 4 / 9 });
    expect(m.targets).toMatchObject({ triggerRate: 0.85, keywordCoverage: 0.8, handoffRate: 0.4 });
  });
});

describe('agent figures', () => {
  it('response and first response times, resolution rate, the mean + 2σ alert', async () => {
    const res = await get(admin.auth, { ...PERIOD, teamId: service });
    expect(res.status).toBe(200);
    const a = res.body.agents;
    expect(res.body.autoReplies).toMatchObject({ inbound: 10, botMessages: 9, triggered: 8, questions: 1, matched: 0 }); // "anyone?" is the bot's, unanswered; "One more thing" came while a person was talking
    const row = (name: string) => a.rows.find((r: { name: string }) => r.name === name);
    expect(row('Agent 1')).toMatchObject({ replies: 2, avgResponseSeconds: 600, firstResponses: 1, avgFirstResponseSeconds: 600, conversations: 2, resolved: 1, resolutionRate: 0.5, alert: false });
    expect(row('Agent 2')).toMatchObject({ replies: 1, avgResponseSeconds: 600, resolutionRate: 1, alert: false }); // from the first of two messages
    expect(row('Agent 5')).toMatchObject({ resolutionRate: 0, alert: false });
    expect(row('Agent 7')).toMatchObject({ replies: 1, avgResponseSeconds: 3600, avgFirstResponseSeconds: 3600, alert: true });
    expect(a.rows.filter((r: { alert: boolean }) => r.alert)).toHaveLength(1);
    const mean = 7200 / 7;
    const sigma = Math.sqrt((6 * (600 - mean) ** 2 + (3600 - mean) ** 2) / 7);
    expect(a.teams).toHaveLength(1);
    expect(a.teams[0].teamId).toBe(service);
    expect(a.teams[0].agents).toBe(7);
    expect(a.teams[0].meanResponseSeconds).toBeCloseTo(mean, 6);
    expect(a.teams[0].sigmaSeconds).toBeCloseTo(sigma, 6);
    expect(a.teams[0].alertAboveSeconds).toBeCloseTo(mean + 2 * sigma, 6);
    expect(a).toMatchObject({ replies: 8, avgResponseSeconds: 975, medianFirstResponseSeconds: 600, conversations: 8, resolved: 4, resolutionRate: 0.5 });
    expect(a.avgFirstResponseSeconds).toBeCloseTo(mean, 6);
  });

  it('the Sales agent: three waits of 30 min from the first question; one team of one is never flagged', async () => {
    const res = await get(admin.auth, { ...PERIOD, teamId: sales });
    expect(res.body.agents.rows).toEqual([expect.objectContaining({ name: 'Sam Sales', replies: 3, avgResponseSeconds: 1800, firstResponses: 3, conversations: 3, resolved: 1, alert: false })]);
  });

  it('all teams: each agent compared with their own team', async () => {
    const res = await get(admin.auth, PERIOD);
    expect(res.status).toBe(200);
    expect(res.body.autoReplies.inbound).toBe(30);
    expect(res.body.agents.teams.map((x: { teamName: string }) => x.teamName)).toEqual(['Sales', 'Service']);
    expect(res.body.agents.teams[0]).toMatchObject({ agents: 1, meanResponseSeconds: 1800, sigmaSeconds: null, alertAboveSeconds: null }); // nobody to compare with
    expect(res.body.agents.rows.filter((r: { alert: boolean }) => r.alert).map((r: { name: string }) => r.name)).toEqual(['Agent 7']);
  });
});

describe('who may see it, and bad input', () => {
  it('an agent sees the inbox figures and only their own row; a viewer is refused', async () => {
    const agent = await t.user('agent', { teamId: service });
    const own = await get(agent.auth, PERIOD);
    expect(own.status).toBe(200);
    expect(own.body.autoReplies.inbound).toBe(30);
    expect(own.body.agents.rows).toEqual([]);
    expect(own.body.agents.teams.length).toBe(2);
    const viewer = await t.user('viewer');
    expect((await get(viewer.auth, PERIOD)).status).toBe(403);
  });

  it('a bad period or team id is a 400 that names the field', async () => {
    const backwards = await get(admin.auth, { from: PERIOD.to, to: PERIOD.from });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0].path).toMatch(/from/);
    const team = await get(admin.auth, { teamId: 'sales' });
    expect(team.status).toBe(400);
    expect(team.body.error.message).toMatch(/teamId/);
    const date = await get(admin.auth, { from: 'last week' });
    expect(date.status).toBe(400);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await t.http.get('/api/openapi.json');
    expect(doc.body.paths['/api/inbox/metrics'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['from', 'teamId', 'to']);
  });
});

describe('when a period is final', () => {
  it('a reply on day 8 counts in the week it was sent; a hand-off is the reply’s within 7 days of it', async () => {
    const late = await t.team('Late');
    agents.l1 = (await t.user('agent', { teamId: late, name: 'Lola Late' })).id;
    const DAY = 24 * 60;
    const price: Msg[] = [['in', null, 0, 'What is the price?'], ['out', 'auto_reply', S, 'Our prices…', { rule: 'Price' }]];
    await conversation(late, [...price, ['in', null, 6 * DAY, 'human agent'], ['out', 'handoff', 6 * DAY + S, 'A colleague will answer']]);
    await conversation(late, [...price, ['in', null, 8 * DAY, 'human agent'], ['out', 'handoff', 8 * DAY + S, 'A colleague will answer']]);
    await conversation(late, [['in', null, 0, 'Hi'], ['out', 'welcome', S, 'Welcome'], ['out', 'agent', 8 * DAY, 'Sorry for the wait', { author: 'l1' }]]);

    const week1 = (await get(admin.auth, { ...PERIOD, teamId: late })).body;
    expect(week1.rules.find((r: { name: string }) => r.name === 'Price')).toMatchObject({ conversations: 2, handedOff: 1, handoffRate: 0.5 }); // day 6 yes, day 8 no
    expect(week1.agents.replies).toBe(0); // nothing a person sent in week 1
    const week2 = (await get(admin.auth, { from: PERIOD.to, to: '2026-11-15T00:00:00Z', teamId: late })).body;
    expect(week2.agents.rows).toEqual([expect.objectContaining({ name: 'Lola Late', replies: 1, avgResponseSeconds: 8 * 86_400, firstResponses: 1 })]);
    expect(week2.rules.find((r: { name: string }) => r.name === 'Price')).toMatchObject({ conversations: 0 }); // the day-8 hand-off is not a rule's
  });
});
