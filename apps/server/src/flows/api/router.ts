/**
 * The flow lifecycle and ops API, mounted at /api:
 *   GET  /nodes                                  the node manifest the editor draws from
 *   /flows …                                     drafts, validation, versions, lifecycle, test runs,
 *                                                start by hand (enroll), suppressions, runs, node counts
 *   /runs …                                      runs of every flow, one run, cancel, retry a step
 *   GET  /notifications                          the caller's alerts (failed runs of their flows)
 *   /suppressions                                customers kept out of every flow (per flow: /flows/:id/suppressions)
 * Roles: admin and manager edit, publish, test and operate runs; agents and viewers read (agents
 * see the runs of the customers they may see).
 */
import express from 'express';
import { z } from 'zod';
import { buildManifest } from '@nudge/workflow-nodes';
import { nodeManifestSchema } from '@nudge/workflow-nodes/graph';
import type { AppContext } from '../../context.js';
import { createApiRouter } from '../../http/route.js';
import {
  changeLifecycle,
  createFlow,
  enrollPreview,
  getFlow,
  getVersion,
  listFlows,
  listVersions,
  loadFlow,
  publishFlow,
  updateFlow,
  validateFlow,
} from './flows.js';
import {
  EnrollBody,
  EnrollOut,
  EnrollPreviewOut,
  EnrollPreviewQuery,
  FlowCreate,
  FlowIdParams,
  FlowListOut,
  FlowListQuery,
  FlowOut,
  FlowRunListQuery,
  FlowUpdate,
  GlobalSuppressionParams,
  NodeCountsOut,
  NotificationListOut,
  NotificationListQuery,
  NotificationReadBody,
  ValidationOut,
  PublishBody,
  ResumeBody,
  ReportOut,
  ReportQuery,
  RunDetailOut,
  RunIdParams,
  RunListOut,
  RunListQuery,
  StepParams,
  SuppressionAdd,
  SuppressionListOut,
  SuppressionParams,
  TestRunBody,
  TestRunOut,
  VersionDetailOut,
  VersionListOut,
  VersionParams,
} from '@nudge/contracts';
import { bound, getRun, listRuns, nodeCounts } from './runs.js';
import { flowReport } from './report.js';
import { cancelRun, retryStep } from './ops.js';
import { testRunFlow } from './test-run.js';
import { enrollSelected } from './manual-enroll.js';
import { listNotifications, markNotificationsRead } from './alerts.js';
import { addSuppressions, listSuppressions, removeSuppression } from './suppressions.js';
import { oftenEmptyWarnings } from './template-warnings.js';

export function createFlowsRouter(ctx: AppContext): express.Router {
  const router = express.Router();
  router.use(nodesRouter(ctx));
  router.use('/flows', flowsRouter(ctx));
  router.use('/runs', runsRouter(ctx));
  router.use('/notifications', notificationsRouter(ctx));
  router.use('/suppressions', globalSuppressionsRouter(ctx));
  return router;
}

function nodesRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api', 'Flow nodes');
  let manifest: ReturnType<typeof buildManifest> | undefined;
  route({
    method: 'get',
    path: '/nodes',
    summary: 'The node catalogue (triggers, conditions, actions, control) with config JSON Schemas',
    response: nodeManifestSchema,
    handler: async ({ res }) => {
      manifest ??= buildManifest();
      res.setHeader('Cache-Control', 'private, max-age=60');
      return manifest;
    },
  });
  return router;
}

function flowsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/flows', 'Flows');

  route({
    method: 'get',
    path: '/',
    summary: 'Flows (archived ones only when asked with status=archived)',
    query: FlowListQuery,
    response: FlowListOut,
    handler: async ({ query }) => ({ items: await listFlows(ctx, query) }),
  });
  route({
    method: 'post',
    path: '/',
    summary: 'Create a flow (a draft)',
    action: 'flow.create',
    body: FlowCreate,
    response: FlowOut,
    status: 201,
    handler: ({ body, user }) => createFlow(ctx, user, body),
  });
  route({
    method: 'get',
    path: '/:id',
    summary: 'One flow with its draft graph',
    params: FlowIdParams,
    response: FlowOut,
    handler: ({ params }) => getFlow(ctx, params.id),
  });
  route({
    method: 'put',
    path: '/:id',
    summary: 'Save the draft (graph, name, description)',
    description: 'The editor autosaves the graph here. A draft may be unfinished: validate or publish to judge it.',
    action: 'flow.save',
    params: FlowIdParams,
    body: FlowUpdate,
    response: FlowOut,
    handler: ({ params, body, user }) => updateFlow(ctx, user, params.id, body),
  });
  route({
    method: 'post',
    path: '/:id/validate',
    summary: 'Every problem of the draft, tied to its node, edge, port and field',
    params: FlowIdParams,
    description: '`warnings` do not block publishing: e.g. a template variable without a fallback that is empty for more than 20 % of the targeted customers (code template.often_empty, with node and field).',
    response: ValidationOut,
    handler: async ({ params }) => ({
      problems: await validateFlow(ctx, params.id),
      warnings: await oftenEmptyWarnings(ctx, (await getFlow(ctx, params.id)).graph),
    }),
  });
  route({
    method: 'post',
    path: '/:id/publish',
    summary: 'Publish the draft as a new immutable version',
    description: 'Refused with 422 and `details.problems` when the draft has problems; nothing is published then.',
    action: 'flow.publish',
    params: FlowIdParams,
    body: PublishBody,
    response: FlowOut,
    status: 201,
    handler: ({ params, body, user }) => publishFlow(ctx, user, params.id, body.note, body.enroll),
  });
  route({
    method: 'get',
    path: '/:id/enroll-preview',
    summary: 'How many customers the trigger matches now, before publishing (action=publish) or resuming (action=resume)',
    description: 'With `asks: true` the publish / resume body must carry `enroll`: "existing" or "new".',
    params: FlowIdParams,
    query: EnrollPreviewQuery,
    response: EnrollPreviewOut,
    handler: ({ params, query }) => enrollPreview(ctx, params.id, query.action),
  });
  route({
    method: 'get',
    path: '/:id/versions',
    summary: 'Published versions, newest first',
    params: FlowIdParams,
    response: VersionListOut,
    handler: async ({ params }) => ({ items: await listVersions(ctx, params.id) }),
  });
  route({
    method: 'get',
    path: '/:id/versions/:version',
    summary: 'One published version with its graph and plan',
    params: VersionParams,
    response: VersionDetailOut,
    handler: ({ params }) => getVersion(ctx, params.id, params.version),
  });
  for (const action of ['pause', 'resume', 'archive'] as const) {
    route({
      method: 'post',
      path: `/:id/${action}`,
      summary:
        action === 'pause'
          ? 'Pause: no new enrollments (runs in flight go on)'
          : action === 'resume'
            ? 'Resume a paused flow'
            : 'Archive: no new enrollments, read-only; runs in flight finish on their version',
      action: action === 'pause' ? 'flow.pause' : action === 'resume' ? 'flow.resume' : 'flow.archive',
      params: FlowIdParams,
      ...(action === 'resume' ? { body: ResumeBody } : {}),
      response: FlowOut,
      handler: ({ params, user, body }) =>
        changeLifecycle(ctx, user, params.id, action, action === 'resume' ? (body as { enroll?: 'existing' | 'new' } | undefined)?.enroll : undefined),
    });
  }
  route({
    method: 'get',
    path: '/:id/runs',
    summary: "The flow's runs, newest first, filtered and paged",
    params: FlowIdParams,
    query: FlowRunListQuery,
    response: RunListOut,
    handler: async ({ params, query, user }) => {
      await loadFlow(ctx.db.db, params.id);
      return listRuns(ctx, user, { ...query, flowId: params.id });
    },
  });
  route({
    method: 'get',
    path: '/:id/report',
    summary: "The flow's results: reach, response, conversion, and per step (test runs left out)",
    params: FlowIdParams,
    query: ReportQuery,
    response: ReportOut,
    handler: async ({ params, query }) => {
      await loadFlow(ctx.db.db, params.id);
      return flowReport(ctx, params.id, { from: query.from ? bound(query.from, false) : undefined, to: query.to ? bound(query.to, true) : undefined });
    },
  });
  route({
    method: 'get',
    path: '/:id/node-counts',
    summary: 'Customers at each node now (waiting, running) and through it so far (done, failed)',
    params: FlowIdParams,
    response: NodeCountsOut,
    handler: async ({ params }) => {
      await loadFlow(ctx.db.db, params.id);
      return nodeCounts(ctx, params.id);
    },
  });
  route({
    method: 'post',
    path: '/:id/enroll',
    summary: 'Start the flow for selected customers (the "started by hand" trigger; any active flow)',
    description: 'Idempotent per flow enrollment rules: a "once" flow never starts twice for a customer; suppressed customers and customers with an open run are skipped, with the reason counted.',
    action: 'flow.enroll',
    params: FlowIdParams,
    body: EnrollBody,
    response: EnrollOut,
    handler: ({ params, body, user }) => enrollSelected(ctx, user, params.id, body.customerIds),
  });
  route({
    method: 'get',
    path: '/:id/suppressions',
    summary: 'Customers who must not enter this flow',
    params: FlowIdParams,
    response: SuppressionListOut,
    handler: async ({ params }) => {
      await loadFlow(ctx.db.db, params.id);
      return { items: await listSuppressions(ctx, params.id) };
    },
  });
  route({
    method: 'post',
    path: '/:id/suppressions',
    summary: 'Keep customers out of this flow (runs in flight go on)',
    action: 'flow.suppress',
    params: FlowIdParams,
    body: SuppressionAdd,
    response: z.object({ added: z.number(), already: z.number() }),
    status: 201,
    handler: async ({ params, body, user }) => {
      await loadFlow(ctx.db.db, params.id);
      return addSuppressions(ctx, user, params.id, body.customerIds, body.reason);
    },
  });
  route({
    method: 'delete',
    path: '/:id/suppressions/:customerId',
    summary: 'Let a suppressed customer enter this flow again',
    action: 'flow.suppress',
    params: SuppressionParams,
    status: 204,
    handler: ({ params, user }) => removeSuppression(ctx, user, params.id, params.customerId),
  });
  route({
    method: 'post',
    path: '/:id/test-run',
    summary: 'Test-run the draft on one customer: time skipped, actions recorded (not sent), the path returned',
    description: 'An invalid draft is refused with 422 and `details.problems`.',
    action: 'flow.testRun',
    params: FlowIdParams,
    body: TestRunBody,
    response: TestRunOut,
    handler: ({ params, body, user }) => testRunFlow(ctx, user, params.id, body.customerId, body.event),
  });
  return router;
}

function runsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/runs', 'Flow runs');
  route({
    method: 'get',
    path: '/',
    summary: 'Runs of every flow (find runs by customer), newest first',
    query: RunListQuery,
    response: RunListOut,
    handler: ({ query, user }) => listRuns(ctx, user, query),
  });
  route({
    method: 'get',
    path: '/:id',
    summary: 'One run with every step (status, times, attempt, error)',
    params: RunIdParams,
    response: RunDetailOut,
    handler: ({ params, user }) => getRun(ctx, user, params.id),
  });
  route({
    method: 'post',
    path: '/:id/cancel',
    summary: 'Cancel a run (Temporal cancellation; the run is recorded as cancelled at once)',
    action: 'run.cancel',
    params: RunIdParams,
    response: RunDetailOut,
    handler: async ({ params, user }) => {
      await cancelRun(ctx, user, params.id);
      return getRun(ctx, user, params.id);
    },
  });
  route({
    method: 'post',
    path: '/:id/steps/:stepId/retry',
    summary: "Run a failed step again (the run's own version; signalled to the open run, or resumed at that node)",
    action: 'run.retry',
    params: StepParams,
    response: RunDetailOut.extend({ retry: z.enum(['signal', 'resumed']) }),
    status: 202,
    handler: async ({ params, user }) => {
      const { mode } = await retryStep(ctx, user, params.id, params.stepId);
      return { ...(await getRun(ctx, user, params.id)), retry: mode };
    },
  });
  return router;
}

function globalSuppressionsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/suppressions', 'Flows');
  route({
    method: 'get',
    path: '/',
    summary: 'Customers who must not enter any flow',
    response: SuppressionListOut,
    handler: async () => ({ items: await listSuppressions(ctx, null) }),
  });
  route({
    method: 'post',
    path: '/',
    summary: 'Keep customers out of every flow (runs in flight go on)',
    action: 'suppression.manage',
    body: SuppressionAdd,
    response: z.object({ added: z.number(), already: z.number() }),
    status: 201,
    handler: ({ body, user }) => addSuppressions(ctx, user, null, body.customerIds, body.reason),
  });
  route({
    method: 'delete',
    path: '/:customerId',
    summary: 'Let a customer enter flows again',
    action: 'suppression.manage',
    params: GlobalSuppressionParams,
    status: 204,
    handler: ({ params, user }) => removeSuppression(ctx, user, null, params.customerId),
  });
  return router;
}

function notificationsRouter(ctx: AppContext) {
  const { router, route } = createApiRouter(ctx, '/api/notifications', 'Notifications');
  route({
    method: 'get',
    path: '/',
    summary: "The caller's notifications (failed runs of their flows, notify-user steps), newest first",
    query: NotificationListQuery,
    response: NotificationListOut,
    handler: ({ query, user }) => listNotifications(ctx, user, query),
  });
  route({
    method: 'post',
    path: '/read',
    summary: 'Mark notifications read (some by id, or all)',
    body: NotificationReadBody,
    response: z.object({ updated: z.number() }),
    handler: async ({ body, user }) => ({ updated: await markNotificationsRead(ctx, user, body) }),
  });
  return router;
}
