/**
 * The HTTP application: JSON in and out under /api, one router per area, one error format
 * ({ error: { code, message, details? } }). main.ts opens the database and calls createApp.
 */
import express from 'express';
import type { AppContext } from './context.js';
import { apiNotFound, errorHandler } from './http/errors.js';
import { openApiDocument } from './openapi/registry.js';
import { createAuthRouter, createTeamsRouter, createUsersRouter } from './auth/router.js';
import { createImportRouter } from './import/router.js';
import { createInboundRouter, createWebhooksRouter } from './inbound/router.js';
import { createCustomersRouter } from './customers/router.js';
import { createTasksRouter } from './tasks/router.js';
import { createCustomerTagsRouter, createTagsRouter } from './tags/router.js';
import { createSegmentsRouter } from './segments/router.js';
import { createQualityRouter } from './quality/router.js';
import { createFlowsRouter } from './flows/api/router.js';
import { createAuditRouter } from './customers/audit-router.js';
import { createHooksRouter } from './hooks/router.js';
import { createAutoRepliesRouter, createConversationsRouter, createInboxRouter } from './conversations/router.js';
import { createInboxPolicyRouter } from './conversations/policy-router.js';
import { createMessageTemplatesRouter, createQuickRepliesRouter } from './templates/router.js';
import { createInboxMetricsRouter } from './conversations/metrics-router.js';
import { createFieldsRouter } from './fields/router.js';

export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  // webhooks first: their signatures are checked over the raw body
  app.use('/api/webhooks', createWebhooksRouter(ctx));
  app.use('/api/hooks', createHooksRouter(ctx));
  app.use('/api', express.json({ limit: '5mb' }));
  app.use('/api/inbound', createInboundRouter(ctx));

  app.use('/api/auth', createAuthRouter(ctx));
  app.use('/api/users', createUsersRouter(ctx));
  app.use('/api/teams', createTeamsRouter(ctx));
  app.use('/api/import', createImportRouter(ctx));
  app.use('/api/customers', createCustomersRouter(ctx));
  app.use('/api/customers', createCustomerTagsRouter(ctx));
  app.use('/api/tags', createTagsRouter(ctx));
  app.use('/api/segments', createSegmentsRouter(ctx));
  app.use('/api/quality', createQualityRouter(ctx));
  app.use('/api', createFlowsRouter(ctx));
  app.use('/api/audit', createAuditRouter(ctx));
  app.use('/api/conversations', createConversationsRouter(ctx));
  app.use('/api/auto-replies', createAutoRepliesRouter(ctx));
  app.use('/api/inbox/policy', createInboxPolicyRouter(ctx));
  app.use('/api/inbox/metrics', createInboxMetricsRouter(ctx));
  app.use('/api/inbox', createInboxRouter(ctx));
  app.use('/api/message-templates', createMessageTemplatesRouter(ctx));
  app.use('/api/quick-replies', createQuickRepliesRouter(ctx));
  app.use('/api/fields', createFieldsRouter(ctx));
  app.use('/api/tasks', createTasksRouter(ctx));

  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/api', apiNotFound);
  app.use(errorHandler);
  return app;
}
