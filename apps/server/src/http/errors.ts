import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { hasLoneSurrogate } from './guard.js';

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
  /** machine code of the issue (zod's issue code, or ours: nul_character, number_too_large…) */
  code?: string;
  /** what the code's wording needs: zod's limits (minimum, maximum, inclusive, origin), the expected type, the allowed values */
  params?: Record<string, string | number | boolean>;
}

/** The figures of a zod issue, for a client to word it in its own language. */
function issueParams(i: ZodError['issues'][number]): Record<string, string | number | boolean> | undefined {
  switch (i.code) {
    case 'too_small':
      return { origin: String(i.origin), minimum: Number(i.minimum), inclusive: i.inclusive !== false };
    case 'too_big':
      return { origin: String(i.origin), maximum: Number(i.maximum), inclusive: i.inclusive !== false };
    case 'invalid_type':
      return { expected: String(i.expected), missing: i.input === undefined };
    case 'invalid_value':
      return { values: i.values.map(String).join(', ') };
    case 'invalid_format':
      return { format: String(i.format) };
    case 'unrecognized_keys':
      return { keys: i.keys.join(', ') };
    default:
      return undefined;
  }
}

export function zodIssues(err: ZodError, prefix?: string): ErrorIssue[] {
  return err.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
    const params = issueParams(i);
    return { path, message: i.message, code: i.code, ...(params ? { params } : {}) };
  });
}

export function zodMessage(issues: ErrorIssue[]): string {
  const first = issues.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return `Invalid input — ${first.join('; ')}${more}`;
}

/** Postgres error codes surface through drizzle as `cause`; both drivers set `.code`. */
function pgCode(err: unknown): { code: string; detail?: string; constraint?: string; column?: string; message?: string } | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const c = (e as { code?: unknown }).code;
    if (typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c)) {
      const x = e as { detail?: string; constraint?: string; constraint_name?: string; column?: string; column_name?: string; message?: string };
      return { code: c, detail: x.detail, constraint: x.constraint ?? x.constraint_name, column: x.column ?? x.column_name, message: x.message };
    }
  }
  return undefined;
}

/** Paths in the request (body, query, params) whose leaf values satisfy `pred`, largest first. */
function suspectPaths(req: Request, pred: (v: unknown) => number): string[] {
  const found: { path: string; score: number }[] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 80 || found.length > 200) return;
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`, depth + 1);
      return;
    }
    const score = pred(v);
    if (score > 0) found.push({ path, score });
  };
  walk(req.body, 'body', 0);
  walk(req.query, 'query', 0);
  walk(req.params, 'params', 0);
  return found.sort((a, b) => b.score - a.score).slice(0, 3).map((f) => f.path);
}

const BIG = 2 ** 31 - 1; // the smallest limit of a numeric column we have (integer)
const camel = (col: string) => col.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());

/**
 * Database errors a client caused, mapped to a 4xx naming the field where it can be known:
 * the column the database names, else the request values that can have caused it.
 */
function dbErrorToHttp(err: unknown, req: Request): HttpError | undefined {
  const pg = pgCode(err);
  const e = err as Error;
  if (!pg) {
    // JSON nested so deep that a recursive walk (ours, a library's) ran out of stack
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return new HttpError(400, 'too_deep', 'The input is nested too deeply.', [{ path: 'body', code: 'too_deep', message: 'nested too deeply' }]);
    }
    return undefined;
  }
  const issue = (code: string, message: string, paths: string[]): HttpError => {
    const where = paths.length ? paths : ['body'];
    return new HttpError(400, code, `${where[0]}: ${message}`, where.map((path) => ({ path, code, message })));
  };
  const column = pg.column ? [`body.${camel(pg.column)}`] : [];
  switch (pg.code) {
    case '23505':
      return new HttpError(409, 'conflict', `Already exists${pg.detail ? `: ${pg.detail}` : ''}.`, { constraint: pg.constraint });
    case '23503':
      return new HttpError(400, 'invalid_reference', `Refers to something that does not exist${pg.detail ? `: ${pg.detail}` : ''}.`, { constraint: pg.constraint });
    case '23502':
      return issue('required', 'is required', column);
    case '23514':
      return issue('invalid_value', `breaks the rule ${pg.constraint ?? 'of its column'}`, column);
    case '22003':
      return issue('number_out_of_range', 'number out of range for its field',
        column.length ? column : suspectPaths(req, (v) => (typeof v === 'number' && Math.abs(v) > BIG ? Math.abs(v) : 0)));
    case '22001':
      return issue('too_long', 'value too long for its field',
        column.length ? column : suspectPaths(req, (v) => (typeof v === 'string' ? v.length : 0)));
    case '22P05':
    case '22021':
      return issue('invalid_text', 'text contains a character that cannot be stored (NUL or invalid UTF-8)',
        suspectPaths(req, (v) => (typeof v === 'string' && (v.includes('\u0000') || hasLoneSurrogate(v)) ? 1 : 0)));
    case '54001':
      return new HttpError(400, 'too_deep', 'The input is nested too deeply for the database.', [{ path: 'body', code: 'too_deep', message: 'nested too deeply' }]);
    default:
      break;
  }
  // the rest of class 22 (data exception): invalid text representation (22P02), datetime
  // (22007/22008), invalid limit / offset / escape (2201x), division by zero…
  if (pg.code.startsWith('22') || pg.code === '42P18' || pg.code === '2200H') {
    return issue('invalid_value', `invalid value (${pg.message ?? pg.code})`, column);
  }
  return undefined;
}

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `No API route ${req.method} ${req.originalUrl.split('?')[0]}.`));
};

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
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
  if (err instanceof URIError) {
    // express could not decode a path parameter (e.g. %ED%A0%80, a lone surrogate)
    const details = [{ path: 'params', code: 'invalid_encoding', message: 'is not valid percent-encoded UTF-8' }];
    res.status(400).json({ error: { code: 'invalid_input', message: `Invalid input — a path parameter ${err.message.replace(/^Failed to decode param /, '')} is not valid percent-encoded UTF-8.`, details } });
    return;
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    // body-parser and friends: unsupported charset, bad content encoding…
    res.status(e.status).json({ error: { code: e.type ? String(e.type).replace(/\W+/g, '_') : 'bad_request', message: e.message ?? 'Bad request.' } });
    return;
  }
  const mapped = dbErrorToHttp(err, req);
  if (mapped) {
    res.status(mapped.status).json({ error: { code: mapped.code, message: mapped.message, details: mapped.details } });
    return;
  }
  console.error('[api] unexpected error:', err);
  res.status(500).json({ error: { code: 'internal', message: 'Something went wrong on the server; it has been logged.' } });
};
