import { z } from 'zod';
import type { OwnerCandidate } from '../../context.js';
import { defineNode } from '../../define.js';
import { NonRetryableNodeError } from '../../errors.js';
import { t } from '../../i18n.js';
import { loadCustomer, nextPort } from '../shared.js';

const hasRoom = (c: OwnerCandidate) => c.capacity === null || c.openCount < c.capacity;
const lastAssigned = (c: OwnerCandidate) => c.lastAssignedAt ?? Number.NEGATIVE_INFINITY;
const byLastAssigned = (a: OwnerCandidate, b: OwnerCandidate) =>
  lastAssigned(a) - lastAssigned(b) || a.id.localeCompare(b.id);

/**
 * Round-robin: the candidate with room whose last assignment is oldest (never assigned first).
 * Least-loaded: the fewest open customers, ties to the one waiting longest. Null when all are full.
 */
export function pickOwner(strategy: 'round_robin' | 'least_loaded', candidates: readonly OwnerCandidate[]) {
  const open = candidates.filter(hasRoom);
  if (open.length === 0) return null;
  const sorted =
    strategy === 'round_robin'
      ? [...open].sort(byLastAssigned)
      : [...open].sort((a, b) => a.openCount - b.openCount || byLastAssigned(a, b));
  return sorted[0]!;
}

const config = z
  .object({
    strategy: z.enum(['round_robin', 'least_loaded', 'specific']).default('round_robin'),
    /** candidates: a team's members … */
    teamId: z.string().default(''),
    /** … or these users */
    userIds: z.array(z.string().min(1)).default([]),
    /** strategy "specific" */
    userId: z.string().default(''),
    onlyIfUnassigned: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    if (c.strategy === 'specific' && !c.userId) {
      ctx.addIssue({ code: 'custom', path: ['userId'], message: 'Pick the user who becomes the owner', params: { reason: 'pick_owner' } });
    }
    if (c.strategy !== 'specific' && !c.teamId && c.userIds.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'Pick a team, or the users to share customers between', params: { reason: 'pick_team_or_users' } });
    }
  });

export const assignOwnerAction = defineNode({
  type: 'action.assign_owner',
  version: 1,
  kind: 'action',
  effects: 'database',
  category: 'customer',
  icon: 'user-check',
  label: t('Assign owner', '指派負責人', '分配负责人', 'Asignar responsable'),
  description: t(
    'Gives the customer an owner: in turn (round-robin), to the agent with the fewest open customers, or to one person.',
    '為客戶指派負責人：輪流分配、分給目前客戶最少的業務，或指定一人。',
    '为客户分配负责人：轮流分配、分给当前客户最少的业务员，或指定一人。',
    'Asigna un responsable al cliente: por turnos, al agente con menos clientes abiertos o a una persona concreta.',
  ),
  inputs: ['in'],
  outputs: [nextPort],
  config,
  defaults: { strategy: 'round_robin', onlyIfUnassigned: true },
  ui: { userId: { widget: 'user' }, userIds: { widget: 'user' } },
  async run(ctx, cfg) {
    const customer = await loadCustomer(ctx);
    if (cfg.onlyIfUnassigned && customer.ownerId) {
      return { port: 'next', status: 'skipped', output: { reason: 'already has an owner', ownerId: customer.ownerId } };
    }
    let ownerId: string;
    if (cfg.strategy === 'specific') {
      if (!(await ctx.users.exists(cfg.userId))) {
        throw new NonRetryableNodeError(`User ${cfg.userId} does not exist; pick another owner in this step.`, 'user_missing');
      }
      ownerId = cfg.userId;
    } else {
      const candidates = await ctx.users.ownerCandidates({
        ...(cfg.teamId ? { teamId: cfg.teamId } : {}),
        ...(cfg.userIds.length ? { userIds: cfg.userIds } : {}),
      });
      const picked = pickOwner(cfg.strategy, candidates);
      // everyone full is temporary: retry later rather than fail the run
      if (!picked) throw new Error(`No agent has room for another customer (${candidates.length} candidates, all at capacity)`);
      ownerId = picked.id;
    }
    await ctx.customers.setOwner(customer.id, ownerId);
    return { port: 'next', output: { ownerId, strategy: cfg.strategy } };
  },
});
