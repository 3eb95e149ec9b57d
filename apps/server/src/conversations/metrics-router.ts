/** GET /api/inbox/metrics: auto-reply and agent figures for a period (see metrics.ts for the definitions). */
import { InboxMetrics, InboxMetricsQuery } from '@nudge/contracts';
import type { AppContext } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { inboxMetrics } from './metrics.js';

export function createInboxMetricsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/inbox/metrics', 'Inbox');
  route({
    method: 'get',
    path: '/',
    summary: 'Inbox metrics: auto-reply trigger rate, keyword coverage, unmatched questions, hand-off rate per rule, silence after a reply, agents’ response times and resolution rate',
    description:
      'Targets: trigger rate ≥ 85%, keyword coverage ≥ 80%, a rule is flagged above 40% hand-off, an agent is flagged above the team mean + 2σ of average response time. Agents get the inbox figures and their own row only. Unmatched questions have phone numbers and e-mail addresses masked. Each event counts in the period it happened in: a person’s reply in the period it was sent, with its whole wait; silence after an auto-reply is decided 24 h after it, a hand-off counts against the rule when asked for within 7 days of its reply — so a period’s figures are final 7 days after it ends (the resolution rate is the conversations’ status now).',
    action: 'inbox.metrics',
    query: InboxMetricsQuery,
    response: InboxMetrics,
    handler: ({ user, query }) => inboxMetrics(ctx, user, query),
  });
  return router;
}
