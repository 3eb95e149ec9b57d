/** GET/PUT /api/inbox/policy: reply deadlines per priority, budget thresholds, assignment strategy, escalation minutes. */
import { z } from 'zod';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { forgetInboxSettings, loadInboxSettings, POLICY_KEY } from './settings.js';

const hours = z.number().positive('more than 0 hours').max(24 * 30, 'at most 720 hours (30 days)');
export const PolicyBody = z
  .object({
    sla: z.object({ P1: hours, P2: hours, P3: hours }),
    budget: z.object({ p1Above: z.number().nonnegative().max(1e12), p2From: z.number().nonnegative().max(1e12) }),
    strategy: z.enum(['round_robin', 'load']),
    /** omitted on PUT: the stored value stays */
    escalateAfterMinutes: z.number().int('whole minutes').min(1, 'at least 1 minute').max(1440, 'at most 1440 minutes (a day)').optional(),
  })
  .superRefine((p, c) => {
    if (!(p.sla.P1 <= p.sla.P2 && p.sla.P2 <= p.sla.P3)) {
      c.addIssue({ code: 'custom', path: ['sla', 'P2'], message: 'P1 must be answered no later than P2, and P2 no later than P3' });
    }
    if (p.budget.p2From > p.budget.p1Above) {
      c.addIssue({ code: 'custom', path: ['budget', 'p2From'], message: 'the P2 threshold must not be above the P1 threshold' });
    }
  })
  .meta({ id: 'InboxPolicy' });

export function createInboxPolicyRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/inbox/policy', 'Inbox');
  route({
    method: 'get',
    path: '/',
    summary: 'The inbox policy: reply deadlines (business hours) per priority, budget thresholds, assignment strategy',
    action: 'inbox.policy',
    response: PolicyBody,
    handler: async () => (await loadInboxSettings(ctx)).policy,
  });
  route({
    method: 'put',
    path: '/',
    summary: 'Set the inbox policy (new conversations and assignments use it at once)',
    action: 'inbox.policy',
    body: PolicyBody,
    response: PolicyBody,
    handler: async ({ body }) => {
      const policy = { ...body, escalateAfterMinutes: body.escalateAfterMinutes ?? (await loadInboxSettings(ctx)).policy.escalateAfterMinutes };
      const value = JSON.stringify(policy);
      await ctx.db.db
        .insert(schema.settings)
        .values({ key: POLICY_KEY, value })
        .onConflictDoUpdate({ target: schema.settings.key, set: { value, updatedAt: new Date() } });
      forgetInboxSettings(ctx);
      return policy;
    },
  });
  return router;
}
