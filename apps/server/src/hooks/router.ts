/**
 * POST /api/hooks/<hookId>              start the flows listening on the hook (JSON or an HTML form), 202 + run id
 * POST /api/hooks/<hookId>/secret       (admin, manager) create or replace the hook's secret; shown once
 * Mounted before the JSON body parser: signatures are checked over the raw bytes.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { HttpError } from '../http/errors.js';
import { writeAudit } from '../http/audit.js';
import { registerOperation } from '../openapi/registry.js';
import { checkHookAuth, hookFlows, hookRateLimit, parseHookBody, receiveHook, rotateHookSecret, type HookFlow } from './service.js';

const HookId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,62}$/, 'a hook id: 3–63 lower-case letters, digits or dashes');
const BODY_LIMIT = '256kb';

const HookAnswerSchema = z
  .object({
    runId: z.string().nullable().describe('the run of the (first) flow listening on the hook; null when the customer was not enrolled (see runs[].reason)'),
    customerId: z.string(),
    customerCreated: z.boolean(),
    runs: z.array(
      z.object({
        flowId: z.string(),
        runId: z.string().nullable(),
        outcome: z.enum(['started', 'existing', 'skipped']),
        reason: z.string().optional().describe('flow_not_active, suppressed, active_run, too_soon, …'),
      }),
    ),
    replayed: z.boolean().describe('true: the answer to an earlier request with the same idempotency key (no new run)'),
  })
  .meta({ id: 'HookAnswer' });
const errorRef = { content: { 'application/json': { schema: z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) }) } } };

function documentHookRoute() {
  const anyBody = z.record(z.string(), z.unknown()).describe('the fields of the request; the flow’s trigger names the one that identifies the customer (e.g. "email")');
  registerOperation({
    method: 'post',
    path: '/api/hooks/{hookId}',
    summary: 'Start the flows whose webhook / form trigger has this hook id, for the customer the body identifies',
    description:
      'Answers 202 as soon as the run has started. Idempotent by the `Idempotency-Key` header (or the field the trigger names): the same key answers the same run. ' +
      'When the trigger requires it, send `X-Nudge-Signature: sha256=<hex HMAC-SHA256 of the raw body>` or `Authorization: Bearer <secret>`. Rate-limited per hook (429 with Retry-After).',
    tags: ['Hooks'],
    security: [],
    request: {
      params: z.object({ hookId: HookId }),
      headers: z.object({
        'idempotency-key': z.string().max(200).optional(),
        'x-nudge-signature': z.string().optional().describe('sha256=<hex>, when the trigger asks for a signature'),
      }),
      body: { content: { 'application/json': { schema: anyBody }, 'application/x-www-form-urlencoded': { schema: anyBody } } },
    },
    responses: {
      202: { description: 'Accepted: the run started (or had started for this idempotency key)', content: { 'application/json': { schema: HookAnswerSchema } } },
      400: { description: 'Invalid body (the field is named)', ...errorRef },
      401: { description: 'Missing or wrong signature / token', ...errorRef },
      404: { description: 'No published flow listens on this hook', ...errorRef },
      409: { description: 'A request with the same idempotency key is still being handled', ...errorRef },
      413: { description: `Body larger than ${BODY_LIMIT}`, ...errorRef },
      415: { description: 'Neither JSON nor a form', ...errorRef },
      422: { description: 'Unknown customer (and the trigger does not create one), or an idempotency key reused with another body', ...errorRef },
      429: { description: 'Too many requests for this hook', ...errorRef },
      503: { description: 'The hook requires a secret that was never created, or the engine is down', ...errorRef },
    },
  });
}

export function createHooksRouter(ctx: AppContext): express.Router {
  const router = express.Router();
  documentHookRoute();

  // admin: the hook's secret (JSON body not needed)
  const admin = createApiRouter(ctx, '/api/hooks', 'Hooks');
  admin.route({
    method: 'post',
    path: '/:hookId/secret',
    summary: 'Create or replace the secret a hook checks (HMAC key or bearer token); the answer is the only time it is shown',
    params: z.object({ hookId: HookId }),
    action: 'hook.secret',
    status: 201,
    response: z.object({ hookId: z.string(), secret: z.string(), signatureHeader: z.string() }),
    handler: async ({ params, user }) => {
      const secret = await rotateHookSecret(ctx, params.hookId);
      await writeAudit(ctx.db.db, user, { action: 'hook.secret_rotated', entityType: 'hook', entityId: params.hookId });
      return { hookId: params.hookId, secret, signatureHeader: 'X-Nudge-Signature: sha256=<hex HMAC-SHA256 of the raw body>' };
    },
  });
  router.use(admin.router);

  // 1. the hook must be served by an active flow (before the limiter: unknown ids take no memory)
  const resolve = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const id = HookId.safeParse(String(req.params.hookId));
      if (!id.success) throw new HttpError(404, 'not_found', `No hook "${String(req.params.hookId).slice(0, 80)}": ${id.error.issues[0]!.message}.`);
      const flows = await hookFlows(ctx, id.data);
      if (flows.length === 0) throw new HttpError(404, 'not_found', `No published flow listens on /api/hooks/${id.data}: publish (or resume) the flow with this webhook trigger.`);
      res.locals.hookFlows = flows;
      next();
    } catch (err) {
      next(err);
    }
  };
  // 2. per hook, the lowest limit of its flows, per minute
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: (_req, res) => hookRateLimit(res.locals.hookFlows as HookFlow[]),
    keyGenerator: (req) => `hook:${req.params.hookId}`,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    validate: false,
    handler: (req, res) => {
      res.status(429).json({ error: { code: 'rate_limited', message: `Too many requests for hook ${req.params.hookId}: at most ${hookRateLimit(res.locals.hookFlows as HookFlow[])} a minute. Retry after the Retry-After header's seconds.` } });
    },
  });
  const raw = express.raw({ type: () => true, limit: BODY_LIMIT });

  router.post('/:hookId', resolve, limiter, raw, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const hookId = String(req.params.hookId);
      const flows = res.locals.hookFlows as HookFlow[];
      const rawBody: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      await checkHookAuth(ctx, hookId, flows, rawBody, (name) => req.header(name) ?? undefined);
      const body = parseHookBody(rawBody, req.header('content-type'));
      const answer = await receiveHook(ctx, hookId, flows, { raw: rawBody, body, idempotencyHeader: req.header('idempotency-key') ?? undefined });
      if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
      res.status(202).json(answer);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
