import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';

/** An error a client can act on: HTTP status, a stable machine code, a human message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new HttpError(400, code, message, details);
export const unauthorized = (message = 'Sign in first: send Authorization: Bearer <token> from POST /api/auth/login.') =>
  new HttpError(401, 'unauthorized', message);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const notFound = (what: string, id?: string) =>
  new HttpError(404, 'not_found', id ? `${what} ${id} does not exist (or you may not see it).` : `${what} not found.`);
export const conflict = (message: string, details?: unknown) => new HttpError(409, 'conflict', message, details);

export interface ErrorIssue {
  path: string;
  message: string;
}

export function zodIssues(err: ZodError, prefix?: string): ErrorIssue[] {
  return err.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
    return { path, message: i.message };
  });
}

export function zodMessage(issues: ErrorIssue[]): string {
  const first = issues.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `Invalid input — ${first.join('; ')}${more}`;
}

/** Postgres error codes surface through drizzle as `cause`; both drivers set `.code`. */
function pgCode(err: unknown): { code: string; detail?: string; constraint?: string } | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c)) {
      const x = e as { detail?: string; constraint?: string; constraint_name?: string };
      return { code: c, detail: x.detail, constraint: x.constraint ?? x.constraint_name };
    }
  }
  return undefined;
}

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `No API route ${req.method} ${req.originalUrl.split('?')[0]}.`));
};

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof HttpError) {
    res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
    return;
  }
  if (err instanceof ZodError) {
    const details = zodIssues(err);
    res.status(400).json({ error: { code: 'invalid_input', message: zodMessage(details), details } });
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') {
    res.status(400).json({ error: { code: 'invalid_json', message: `The request body is not valid JSON: ${e.message}` } });
    return;
  }
  if (e?.type === 'entity.too.large') {
    res.status(413).json({ error: { code: 'too_large', message: 'The request body is too large.' } });
    return;
  }
  const pg = pgCode(err);
  if (pg?.code === '23505') {
    res.status(409).json({
      error: { code: 'conflict', message: `Already exists${pg.detail ? `: ${pg.detail}` : ''}.`, details: { constraint: pg.constraint } },
    });
    return;
  }
  if (pg?.code === '23503') {
    res.status(400).json({
      error: { code: 'invalid_reference', message: `Refers to something that does not exist${pg.detail ? `: ${pg.detail}` : ''}.` },
    });
    return;
  }
  console.error('[api] unexpected error:', err);
  res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' } });
};
