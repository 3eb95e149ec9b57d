/** GET /api/tasks lists the signed-in user's tasks (timeline entries of kind task), POST done ticks one. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { createTestApp, type TestApp, type TestUser } from '../http/testing.js';

let t: TestApp;
let me: TestUser;
let other: TestUser;
let manager: TestUser;
let customerId: string;
const ids: Record<string, string> = {};

async function task(key: string, assigneeId: string, dueAt: string, status = 'open') {
  const [row] = await t.db.db
    .insert(schema.interactions)
    .values({ customerId, kind: 'task', body: `Call ${key}`, payload: { taskType: 'call', assigneeId, dueAt, notes: null, status, flowId: 'f-1', runId: 'r-1' } })
    .returning({ id: schema.interactions.id });
  ids[key] = row!.id;
}

beforeAll(async () => {
  t = await createTestApp();
  me = await t.user('agent');
  other = await t.user('agent');
  manager = await t.user('manager');
  const [c] = await t.db.db.insert(schema.customers).values({ fullName: '張大明' }).returning({ id: schema.customers.id });
  customerId = c!.id;
  await task('later', me.id, '2026-12-09T01:00:00.000Z');
  await task('overdue', me.id, '2026-11-28T01:00:00.000Z');
  await task('finished', me.id, '2026-11-27T01:00:00.000Z', 'done');
  await task('theirs', other.id, '2026-11-29T01:00:00.000Z');
  await t.db.db.insert(schema.interactions).values({ customerId, kind: 'note', body: 'not a task', payload: { assigneeId: me.id } });
});
afterAll(async () => { await t?.close(); });

describe('tasks API', () => {
  it('lists my open tasks, soonest due first, with the customer; not other people’s, not notes', async () => {
    const res = await t.http.get('/api/tasks').set(me.auth);
    expect(res.status).toBe(200);
    expect(res.body.items.map((x: { title: string }) => x.title)).toEqual(['Call overdue', 'Call later']);
    expect(res.body.items[0]).toMatchObject({ id: ids.overdue, taskType: 'call', status: 'open', dueAt: '2026-11-28T01:00:00.000Z', flowId: 'f-1', customer: { id: customerId, fullName: '張大明' } });
    const done = await t.http.get('/api/tasks?status=done').set(me.auth);
    expect(done.body.items.map((x: { title: string }) => x.title)).toEqual(['Call finished']);
    expect((await t.http.get('/api/tasks?status=all').set(me.auth)).body.items).toHaveLength(3);
  });

  it('ticks a task done once: a second click keeps the first time; it leaves the open list', async () => {
    const first = await t.http.post(`/api/tasks/${ids.later}/done`).set(me.auth);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'done' });
    const again = await t.http.post(`/api/tasks/${ids.later}/done`).set(me.auth);
    expect(again.body.doneAt).toBe(first.body.doneAt);
    expect((await t.http.get('/api/tasks').set(me.auth)).body.items.map((x: { id: string }) => x.id)).toEqual([ids.overdue]);
    const [row] = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.id, ids.later!));
    expect(row!.payload).toMatchObject({ status: 'done', doneBy: me.id, taskType: 'call', flowId: 'f-1' });
  });

  it('five clicks at once: all answer done with the same doneAt', async () => {
    await task('burst', me.id, '2026-12-02T01:00:00.000Z');
    const res = await Promise.all(Array.from({ length: 5 }, () => t.http.post(`/api/tasks/${ids.burst}/done`).set(me.auth)));
    expect(res.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(res.map((r) => r.body.doneAt)).size).toBe(1);
  });

  it("an agent cannot tick someone else's task (404, unchanged); a manager can; bad ids are 400", async () => {
    expect((await t.http.post(`/api/tasks/${ids.theirs}/done`).set(me.auth)).status).toBe(404);
    const [row] = await t.db.db.select().from(schema.interactions).where(eq(schema.interactions.id, ids.theirs!));
    expect(row!.payload.status).toBe('open');
    expect((await t.http.post(`/api/tasks/${ids.theirs}/done`).set(manager.auth)).body.status).toBe('done');
    const bad = await t.http.post('/api/tasks/not-a-uuid/done').set(me.auth);
    expect(bad.status).toBe(400);
    expect((await t.http.get('/api/tasks?status=maybe').set(me.auth)).status).toBe(400);
    expect((await t.http.get('/api/tasks')).status).toBe(401);
  });
});
