/**
 * Routes declared once: zod schemas validate params/query/body, the role check runs before the
 * handler, and the same declaration feeds the OpenAPI document (GET /api/openapi.json).
 *
 *   const { router, route } = createApiRouter(ctx, '/api/customers', 'Customers');
 *   route({ method: 'get', path: '/:id', summary: 'One customer', params: IdParams,
 *           roles: ['admin', 'manager'], handler: async ({ params, user }) => ... });
 */
import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { rolesFor, type Action } from '@nudge/contracts';
import type { AppContext } from '../context.js';
import { registerOperation, toOpenApiPath } from '../openapi/registry.js';
import { authenticate, hasRight, requireRole, RIGHTS, type AuthUser, type Role } from './auth.js';
import { HttpError, zodIssues, zodMessage, type ErrorIssue } from './errors.js';
import { screenInput } from './guard.js';
import { installContactMasking } from './masking.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject<z.ZodRawShape>;
type EmptyObject = z.ZodObject<Record<never, never>>;

export interface HandlerInput<P, Q, B, U> {
  params: P;
  query: Q;
  body: B;
  user: U;
  req: Request;
  res: Response;
}

interface BaseSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Schema of the JSON answer (documentation); omit for 204 or raw answers. */
  response?: z.ZodType;
  /** Media type of a raw answer written by the handler itself (e.g. text/csv). */
  produces?: string;
  /** Success status (default 200; 201 for creations, 204 when the handler returns nothing). */
  status?: number;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> extends BaseSpec<P, Q, B> {
  /** What the route does, in the shared permission map (@nudge/contracts PERMISSIONS): the roles come from there. */
  action?: Action;
  /** Roles allowed (default: any signed-in user); give `action` instead — a test refuses role lists outside the map. */
  roles?: readonly Role[];
  /** Answers a user who must still change their first password (default: refused with 403 password_change_required). */
  allowPendingPassword?: boolean;
  handler: (input: HandlerInput<z.infer<P>, z.infer<Q>, z.infer<B>, AuthUser>) => unknown;
}

export interface PublicRouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> extends BaseSpec<P, Q, B> {
  handler: (input: HandlerInput<z.infer<P>, z.infer<Q>, z.infer<B>, null>) => unknown;
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  const screened = screenInput(value, where);
  if (screened.length) throw invalid(screened);
  if (!schema) return (value ?? {}) as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) {
    const details = zodIssues(r.error, where);
    throw new HttpError(400, 'invalid_input', zodMessage(details), details);
  }
  return r.data;
}

function invalid(details: ErrorIssue[]): HttpError {
  return new HttpError(400, 'invalid_input', zodMessage(details), details);
}

/** The fields a PATCH body may carry, for the "nothing to change" message. */
function patchFields(schema: z.ZodType | undefined): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

const errorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'Error' });

/** Every signed-in route as declared (method, full path, roles), for the permission-map check. */
export interface DeclaredRoute { method: Method; path: string; roles: readonly Role[] | undefined; action: Action | undefined }
export const declaredRoutes: DeclaredRoute[] = [];

export function createApiRouter(ctx: AppContext, mountPath: string, tag: string) {
  const router = express.Router();

  function add<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
    spec: BaseSpec<P, Q, B>,
    isPublic: boolean,
    roles: readonly Role[] | undefined,
    action: Action | undefined,
    allowPendingPassword: boolean,
    handler: (input: HandlerInput<z.infer<P>, z.infer<Q>, z.infer<B>, AuthUser | null>) => unknown,
  ) {
    const status = spec.status ?? 200;
    const fullPath = mountPath + (spec.path === '/' ? '' : spec.path);
    if (!isPublic && !declaredRoutes.some((r) => r.method === spec.method && r.path === fullPath)) {
      declaredRoutes.push({ method: spec.method, path: fullPath, roles, action });
    }
    const responses: Record<string, unknown> = {
      [status]: spec.produces
        ? { description: 'OK', content: { [spec.produces]: { schema: { type: 'string' } } } }
        : spec.response
          ? { description: 'OK', content: { 'application/json': { schema: spec.response } } }
          : { description: status === 204 ? 'No content' : 'OK' },
      400: { description: 'Invalid input', content: { 'application/json': { schema: errorBody } } },
    };
    if (!isPublic) {
      responses[401] = { description: 'Not signed in', content: { 'application/json': { schema: errorBody } } };
      responses[403] = { description: 'Role not allowed', content: { 'application/json': { schema: errorBody } } };
    }
    registerOperation({
      method: spec.method,
      path: toOpenApiPath(mountPath + (spec.path === '/' ? '' : spec.path)),
      summary: spec.summary,
      description: [spec.description, roles ? `Roles: ${roles.join(', ')}.` : undefined].filter(Boolean).join(' ') || undefined,
      tags: [tag],
      security: isPublic ? [] : [{ bearer: [] }],
      request: {
        params: spec.params,
        query: spec.query,
        body: spec.body ? { content: { 'application/json': { schema: spec.body } } } : undefined,
      },
      responses: responses as never,
    });

    router[spec.method](spec.path, async (req: Request, res: Response) => {
      let user: AuthUser | null = null;
      if (!isPublic) {
        user = await authenticate(ctx, req);
        // everything this request answers (JSON, text, errors) is masked for this user
        if (!hasRight(user, RIGHTS.unmaskContact)) installContactMasking(res, { keep: new Set([user.email.toLowerCase()]) });
        if (user.mustChangePassword && !allowPendingPassword) {
          throw new HttpError(403, 'password_change_required', 'Choose a new password first (POST /api/auth/password); until then only that, /api/auth/me and sign-out answer.');
        }
        if (roles) requireRole(user, roles, spec.summary.toLowerCase());
      }
      const params = parsePart(spec.params, req.params, 'params');
      const query = parsePart(spec.query, req.query, 'query');
      const body = parsePart(spec.body, req.body, 'body');
      if (spec.method === 'patch' && spec.body && body && typeof body === 'object' && !Array.isArray(body)
        && Object.values(body as Record<string, unknown>).every((v) => v === undefined)) {
        const fields = patchFields(spec.body);
        const message = `nothing to change${fields.length ? ` — give at least one of: ${fields.join(', ')}` : ''}`;
        throw invalid([{ path: 'body', code: 'empty_patch', message }]);
      }
      const result = await handler({ params, query, body, user, req, res });
      if (res.headersSent) return;
      if (result === undefined) res.status(status === 200 ? 204 : status).end();
      else res.status(status).json(result);
    });
  }

  return {
    router,
    route<P extends AnyObject = EmptyObject, Q extends AnyObject = EmptyObject, B extends z.ZodType = z.ZodUndefined>(
      spec: RouteSpec<P, Q, B>,
    ) {
      if (spec.action && spec.roles) throw new Error(`${spec.method} ${mountPath}${spec.path}: give action or roles, not both`);
      const roles = spec.action ? rolesFor(spec.action) : spec.roles;
      add(spec, false, roles, spec.action, spec.allowPendingPassword ?? false, spec.handler as never);
    },
    publicRoute<P extends AnyObject = EmptyObject, Q extends AnyObject = EmptyObject, B extends z.ZodType = z.ZodUndefined>(
      spec: PublicRouteSpec<P, Q, B>,
    ) {
      add(spec, true, undefined, undefined, true, spec.handler as never);
    },
  };
}

