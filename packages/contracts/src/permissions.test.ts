import { describe, expect, it } from 'vitest';
import { ACTIONS, can, PERMISSIONS } from './permissions.js';

describe('permission map', () => {
  it('roles nest: whatever a viewer may do an agent may, an agent → a manager, a manager → an admin', () => {
    const order = ['viewer', 'agent', 'manager', 'admin'] as const;
    for (const action of ACTIONS) {
      for (let i = 0; i + 1 < order.length; i++) {
        if (can(order[i], action)) expect(can(order[i + 1], action), `${order[i + 1]} ${action}`).toBe(true);
      }
    }
  });

  it('a viewer only reads; a signed-out user may do nothing', () => {
    expect(ACTIONS.filter((a) => can('viewer', a))).toEqual(['autoReply.read', 'template.read']);
    expect(ACTIONS.filter((a) => can(null, a))).toEqual([]);
    expect(can({ role: 'agent' }, 'customer.create')).toBe(true);
    expect(can({ role: 'agent' }, 'flow.publish')).toBe(false);
    expect(PERMISSIONS['user.manage']).toEqual(['admin']);
  });
});
