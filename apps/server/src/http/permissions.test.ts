// The server's routes and the shared permission map (@nudge/contracts PERMISSIONS) cannot drift:
// every role-restricted route names its action and takes exactly the map's roles, every action in
// the map is served, and a role outside the map is refused by the running app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS, PERMISSIONS, ROLES, type Action } from '@nudge/contracts';
import { createTestApp, type TestApp, type TestUser } from './testing.js';
import { declaredRoutes } from './route.js';

/** Routes any signed-in user may call (reads, one's own session and notifications, checks without side effects). */
const OPEN_TO_EVERYONE = new Set([
  'post /api/auth/password', 'post /api/auth/logout', 'get /api/auth/me',
  'get /api/users/directory', 'get /api/teams',
  'get /api/customers/fields', 'get /api/customers/industries', 'get /api/customers', 'get /api/customers/:id',
  'get /api/customers/:id/timeline',
  // exports: the `customers.export` right, checked in the handler (viewers never)
  'get /api/customers/export.csv', 'get /api/customers/:id/export',
  'get /api/tags/groups', 'get /api/tags', 'get /api/tags/expiring',
  'post /api/segments/count', 'get /api/segments/fields', 'get /api/segments', 'get /api/segments/:id',
  'get /api/segments/membership/:customerId', 'get /api/segments/:id/count',
  'get /api/quality/report', 'get /api/nodes', 'get /api/fields',
  'get /api/flows', 'get /api/flows/:id', 'post /api/flows/:id/validate', 'get /api/flows/:id/enroll-preview',
  'get /api/flows/:id/versions', 'get /api/flows/:id/versions/:version', 'get /api/flows/:id/runs',
  'get /api/flows/:id/report', 'get /api/flows/:id/node-counts', 'get /api/flows/:id/suppressions',
  'get /api/runs', 'get /api/runs/:id', 'get /api/notifications', 'post /api/notifications/read', 'get /api/suppressions',
  'get /api/conversations', 'get /api/conversations/:id', 'post /api/auto-replies/test', 'get /api/inbox/notifications', 'post /api/inbox/notifications/read', 'get /api/inbox/events',
  'get /api/tasks',
]);

let t: TestApp;
let users: Record<(typeof ROLES)[number], TestUser>;
beforeAll(async () => {
  t = await createTestApp();
  users = {
    admin: await t.user('admin'),
    manager: await t.user('manager'),
    agent: await t.user('agent'),
    viewer: await t.user('viewer'),
  };
});
afterAll(() => t.close());

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
const sorted = (roles: readonly string[]) => [...roles].sort();

describe('permission map ↔ server routes', () => {
  it('every role-restricted route names an action of the map and takes exactly its roles', () => {
    expect(declaredRoutes.length).toBeGreaterThan(90);
    const stray = declaredRoutes.filter((r) => r.roles && !r.action).map(key);
    expect(stray, 'routes with a role list of their own: give them an action from PERMISSIONS').toEqual([]);
    for (const r of declaredRoutes.filter((x) => x.action)) {
      expect(sorted(r.roles ?? []), key(r)).toEqual(sorted(PERMISSIONS[r.action!]));
    }
  });

  it('routes without an action are exactly the reads and own-session calls any signed-in user may make', () => {
    const open = declaredRoutes.filter((r) => !r.roles).map(key).sort();
    expect(open).toEqual([...OPEN_TO_EVERYONE].sort());
  });

  it('every action of the map is served by a route (no dead entries the editor would trust)', () => {
    const served = new Set(declaredRoutes.map((r) => r.action).filter(Boolean) as Action[]);
    expect(ACTIONS.filter((a) => !served.has(a))).toEqual([]);
  });

  it('the running app refuses every role the map leaves out, before looking at the input', async () => {
    const fill = (path: string) => path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
    const wrong: string[] = [];
    let checked = 0;
    for (const r of declaredRoutes.filter((x) => x.action)) {
      for (const role of ROLES.filter((x) => !PERMISSIONS[r.action!].includes(x as never))) {
        const res = await t.http[r.method](fill(r.path)).set(users[role].auth).send({});
        checked++;
        if (res.status !== 403 || res.body.error?.code !== 'forbidden') wrong.push(`${role} ${key(r)} → ${res.status}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });
});
