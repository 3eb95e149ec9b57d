/**
 * The customer import: upload → preview → start → poll. A job reads and validates the whole file
 * first (nothing written), matches the rows against the customer base, then writes in chunks:
 * the whole write plan is stored first (import_job_chunks), then each chunk of a few hundred
 * customers is applied in its own short transaction, so other requests get the database between
 * chunks. Never half an import: a job that dies before its plan is stored wrote nothing (it is
 * marked failed at start-up); one that dies after is resumed at start-up at the first chunk not
 * applied (each chunk is marked applied in its own transaction: none lost, none written twice).
 * One import writes at a time (two imports never race each other into duplicates); a customer
 * base changed since matching is matched again before writing. Progress is kept in memory while
 * a job runs and in import_jobs at each phase and chunk.
 */
import { createHash } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { customerFields, schema, type SqlClient } from '@nudge/db';
import { CsvImportError, columnMappingSchema, regionSchema, type ImportedCustomer, type RowError } from '@nudge/customer-import';
import type { AppContext, DomainEvent } from '../context.js';
import { emitEvents } from '../context.js';
import type { AuthUser } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { emitCustomersImported } from './events.js';
import { planMerges, type ExistingCustomer, type ExistingCustomerPlan, type NewCustomerPlan, type RowOutcome } from './matching.js';
import { estimateRows, loadDbRules, openImport, type DbRules, type ReadOptions, type ValidRow } from './reading.js';
import { applyChunk, CHUNK, newCustomerRecords, stageChunks, updateRecords, type AuditRow, type ChunkPayload, type ChunkResult, type TimelineEntry } from './writing.js';
import { loadImportSettings } from './settings.js';


export const IMPORT_MODES = ['all-or-nothing', 'skip-invalid'] as const;

export const ReadOptionsBody = z.object({
  mapping: columnMappingSchema.optional().describe('header → field, "custom:<key>" or "ignore"; overrides the suggestion'),
  defaultRegion: regionSchema.optional().describe("country of phone numbers without a country code (default: the organisation's import settings, else NUDGE_DEFAULT_REGION, TW)"),
  encoding: z.string().max(40).optional().describe('force an encoding instead of detecting it'),
  delimiter: z.enum([',', ';', '\t', '|']).optional(),
});

export const StartImportBody = ReadOptionsBody.extend({
  uploadId: z.uuid(),
  mode: z.enum(IMPORT_MODES).default('all-or-nothing'),
  backfill: z.boolean().default(false).describe('true: load without firing flow triggers'),
  ownerId: z.uuid().optional().describe('owner of the customers the import creates'),
});
export type StartImportBody = z.infer<typeof StartImportBody>;

/** Lists in the report are cut at this length (the totals stay exact). */
export const REPORT_LIST_LIMIT = 10_000;
const PREVIEW_ROWS = 20;
const PREVIEW_SCAN_ROWS = 1000;

export type ImportPhase = 'queued' | 'reading' | 'matching' | 'writing' | 'done';

interface LiveProgress {
  phase: ImportPhase;
  rowsProcessed: number;
  rowsTotal: number;
}
const live = new Map<string, LiveProgress>();
const running = new Map<string, Promise<void>>();

/** A file problem → 422 with the line in details. */
export function csvHttpError(err: CsvImportError): HttpError {
  return new HttpError(422, err.code.toLowerCase(), err.message, { line: err.line, ...err.details });
}

/** The import's country is its own choice, else the organisation's (see settings.ts). */
async function readOptions(ctx: AppContext, body: z.infer<typeof ReadOptionsBody>): Promise<ReadOptions> {
  const defaultRegion = body.defaultRegion ?? (await loadImportSettings(ctx)).defaultRegion;
  return { mapping: body.mapping, defaultRegion, encoding: body.encoding, delimiter: body.delimiter };
}

/** Bytes per import_upload_parts row: one query each, so none holds PGlite's connection for long. */
const UPLOAD_PART_BYTES = 256 * 1024;

export async function storeUpload(ctx: AppContext, actor: AuthUser, bytes: Uint8Array, fileName?: string): Promise<string> {
  if (bytes.length === 0) {
    throw new HttpError(400, 'csv_empty', 'The file is empty: choose a CSV file with a header line and at least one row.', {
      hint: 'API clients: send the file itself as the request body (Content-Type: text/csv).',
    });
  }
  const [row] = await ctx.db.db
    .insert(schema.importUploads)
    .values({ bytes: null, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), fileName: fileName ?? null, createdBy: actor.id })
    .returning({ id: schema.importUploads.id });
  try {
    for (let seq = 0, at = 0; at < bytes.length; seq++, at += UPLOAD_PART_BYTES) {
      // A PGlite query resolves without an event-loop turn: yield, or no request is read meanwhile.
      await yieldToEventLoop();
      await ctx.db.db.insert(schema.importUploadParts).values({ uploadId: row!.id, seq, bytes: bytes.subarray(at, at + UPLOAD_PART_BYTES) });
    }
  } catch (err) {
    await ctx.db.db.delete(schema.importUploads).where(eq(schema.importUploads.id, row!.id)).catch(() => {});
    throw err;
  }
  return row!.id;
}

async function loadUpload(ctx: AppContext, uploadId: string) {
  const [row] = await ctx.db.db.select().from(schema.importUploads).where(eq(schema.importUploads.id, uploadId));
  if (!row) throw new HttpError(404, 'not_found', `Upload ${uploadId} does not exist (it is removed once imported); upload the file again.`);
  if (row.bytes) return { ...row, bytes: new Uint8Array(row.bytes) };
  // Part by part, one short query each (see storeUpload).
  const bytes = new Uint8Array(row.size);
  let at = 0;
  for (let seq = 0; at < row.size; seq++) {
    await yieldToEventLoop();
    const [part] = await ctx.db.db
      .select({ bytes: schema.importUploadParts.bytes })
      .from(schema.importUploadParts)
      .where(and(eq(schema.importUploadParts.uploadId, uploadId), eq(schema.importUploadParts.seq, seq)));
    if (!part) throw new Error(`upload ${uploadId}: part ${seq} is missing`);
    bytes.set(part.bytes, at);
    at += part.bytes.length;
  }
  return { ...row, bytes };
}

export async function previewUpload(ctx: AppContext, uploadId: string, body: z.infer<typeof ReadOptionsBody>) {
  const upload = await loadUpload(ctx, uploadId);
  const options = await readOptions(ctx, body);
  const rules = await loadDbRules(ctx.db);
  try {
    const opened = await openImport(upload.bytes, options, rules);
    const rows: { line: number; values: string[]; customer?: ImportedCustomer; errors?: RowError[] }[] = [];
    const errors: RowError[] = [];
    let scanned = 0;
    let fatal: { code: string; message: string; line?: number } | undefined;
    try {
      for await (const r of opened.rows) {
        scanned++;
        if (!r.result.ok) errors.push(...r.result.errors);
        if (rows.length < PREVIEW_ROWS) rows.push(r.result.ok ? { line: r.line, values: r.values, customer: r.result.customer } : { line: r.line, values: r.values, errors: r.result.errors });
        if (scanned >= PREVIEW_SCAN_ROWS) break;
      }
    } catch (err) {
      if (!(err instanceof CsvImportError)) throw err;
      fatal = { code: err.code.toLowerCase(), message: err.message, line: err.line };
    }
    return {
      uploadId,
      fileName: upload.fileName,
      size: upload.size,
      encoding: opened.encoding,
      delimiter: opened.delimiter,
      headers: opened.headers,
      suggestions: opened.suggestions,
      mapping: opened.mapping,
      defaultRegion: options.defaultRegion,
      estimatedRows: estimateRows(upload.bytes),
      rows,
      scannedRows: scanned,
      errors,
      fatal,
    };
  } catch (err) {
    if (err instanceof CsvImportError) throw csvHttpError(err);
    throw err;
  }
}

export async function startImport(ctx: AppContext, actor: AuthUser, body: StartImportBody) {
  const upload = await loadUpload(ctx, body.uploadId);
  const options = await readOptions(ctx, body);
  // Check file and mapping now so that the caller hears about a bad file at once.
  try {
    (await openImport(upload.bytes, options, await loadDbRules(ctx.db))).close();
  } catch (err) {
    if (err instanceof CsvImportError) throw csvHttpError(err);
    throw err;
  }
  const [job] = await ctx.db.db
    .insert(schema.importJobs)
    .values({
      uploadId: upload.id,
      fileName: upload.fileName,
      mode: body.mode,
      backfill: body.backfill,
      defaultRegion: options.defaultRegion,
      encoding: body.encoding ?? null,
      mapping: body.mapping ?? null,
      rowsTotal: estimateRows(upload.bytes),
      createdBy: actor.id,
    })
    .returning();
  const run = runImportJob(ctx, job!.id, actor, { ...options, ownerId: body.ownerId ?? null })
    .catch((err: unknown) => console.error(`[import] job ${job!.id} crashed:`, err))
    .finally(() => running.delete(job!.id));
  running.set(job!.id, run);
  return presentJob(job!);
}

/** Recent imports, newest first, without their reports (GET /api/import/:id has those). */
export async function listImportJobs(ctx: AppContext, limit: number) {
  const rows = await ctx.db.db.select().from(schema.importJobs).orderBy(desc(schema.importJobs.createdAt)).limit(limit);
  return rows.map((job) => {
    const { report, ...rest } = presentJob(job);
    return { ...rest, totals: (report as { totals?: unknown } | undefined)?.totals };
  });
}

/** The row errors of an import (for a CSV the user can fix the file from). */
export async function importErrors(ctx: AppContext, id: string): Promise<RowError[]> {
  const [job] = await ctx.db.db.select({ report: schema.importJobs.report }).from(schema.importJobs).where(eq(schema.importJobs.id, id));
  if (!job) throw new HttpError(404, 'not_found', `Import ${id} does not exist.`);
  return ((job.report as { errors?: RowError[] } | null)?.errors ?? []) as RowError[];
}

/** Resolves when the job (started in this process) has finished; for tests and scripts. */
export async function waitForImport(id: string): Promise<void> {
  await running.get(id);
}

type JobRow = typeof schema.importJobs.$inferSelect;

export function presentJob(job: JobRow) {
  const p = live.get(job.id);
  return {
    id: job.id,
    fileName: job.fileName,
    status: job.status,
    phase: p?.phase ?? job.phase,
    mode: job.mode,
    backfill: job.backfill,
    defaultRegion: job.defaultRegion,
    rowsProcessed: p?.rowsProcessed ?? job.rowsProcessed,
    rowsTotal: p?.rowsTotal ?? job.rowsTotal,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
    error: job.error ?? undefined,
    report: job.report ?? undefined,
  };
}

export async function getImportJob(ctx: AppContext, id: string) {
  const [job] = await ctx.db.db.select().from(schema.importJobs).where(eq(schema.importJobs.id, id));
  if (!job) throw new HttpError(404, 'not_found', `Import ${id} does not exist.`);
  return presentJob(job);
}

/**
 * Start-up housekeeping (call once when the server starts): jobs left `queued`/`running` by a
 * process that died before their write plan was stored are marked failed — nothing of them was
 * written; those that died while writing chunks are resumed in the background (waitForImport(id)
 * awaits them); uploads older than `keepUploadsHours` that no import is using are removed.
 */
export async function recoverInterruptedImports(
  ctx: AppContext,
  keepUploadsHours = 72,
): Promise<{ failedJobs: number; resumedJobs: string[]; removedUploads: number }> {
  const mine = [...running.keys()];
  const jobs = await ctx.db.sql.query<{ id: string }>(
    `update import_jobs set status = 'failed', phase = 'done', finished_at = now(),
       error = '{"code":"interrupted","message":"The server stopped during this import; nothing was imported. Start it again."}'::jsonb
     where status in ('queued', 'running') and chunks_total is null and not (id = any($1::uuid[])) returning id`,
    [mine],
  );
  if (jobs.length) await ctx.db.sql.query(`delete from import_job_chunks where job_id = any($1::uuid[])`, [jobs.map((j) => j.id)]);
  const resumable = await ctx.db.sql.query<{ id: string }>(
    `select id from import_jobs where status = 'running' and chunks_total is not null and not (id = any($1::uuid[])) order by created_at`,
    [mine],
  );
  for (const { id } of resumable) {
    console.log(`[import] resuming import ${id}, interrupted while writing`);
    await startResume(ctx, id).catch((err: unknown) => console.error(`[import] cannot resume import ${id}:`, err));
  }
  const uploads = await ctx.db.sql.query<{ id: string }>(
    `delete from import_uploads u where u.created_at < now() - make_interval(hours => $1::int)
       and not exists (select 1 from import_jobs j where j.upload_id = u.id and (j.status in ('queued', 'running') or j.chunks_total is not null))
     returning u.id`,
    [keepUploadsHours],
  );
  return { failedJobs: jobs.length, resumedJobs: resumable.map((r) => r.id), removedUploads: uploads.length };
}

function cut<T>(list: T[]): T[] {
  return list.length > REPORT_LIST_LIMIT ? list.slice(0, REPORT_LIST_LIMIT) : list;
}

function describeConflicts(conflicts: { field: string; kept: unknown; incoming: unknown; line: number }[]): string {
  return conflicts.map((c) => `${c.field}: kept ${JSON.stringify(c.kept)}, file had ${JSON.stringify(c.incoming)} (line ${c.line})`).join('; ');
}

/** The in-memory progress of a job running in this process (no database access). */
export function liveProgress(id: string): Readonly<LiveProgress> | undefined {
  const p = live.get(id);
  return p && { ...p };
}

/** A stored customer → the import's shape (API names), for merging a file's row into it. */
function customerToImported(r: Record<string, unknown>, rules: DbRules): ImportedCustomer {
  const out: Record<string, unknown> = {};
  for (const f of customerFields.importWritten) {
    const v = r[f.column];
    if (v === null || v === undefined || v === '') continue;
    if (f.format === 'user') out[f.name] = rules.userEmailById.get(String(v));
    else if (f.type === 'array') out[f.name] = (v as string[]).length ? v : undefined;
    else if (f.type === 'number') out[f.name] = Number(v);
    else if (f.type === 'datetime') out[f.name] = (v instanceof Date ? v : new Date(String(v))).toISOString();
    else if (f.type === 'date') out[f.name] = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    else out[f.name] = String(v);
  }
  const custom: Record<string, string> = {};
  for (const [k, v] of Object.entries((r.custom_fields as Record<string, unknown>) ?? {})) if (v !== null && v !== undefined && v !== '') custom[k] = String(v);
  return { ...out, fullName: String(r.full_name), custom } as ImportedCustomer;
}

const EXISTING_COLUMNS = customerFields.importWritten
  .map((f) => (f.type === 'date' ? `${f.column}::text as ${f.column}` : f.column))
  .join(', ');

async function loadExistingCustomers(tx: SqlClient, ids: string[], rules: DbRules): Promise<ExistingCustomer[]> {
  const out: ExistingCustomer[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const rows = await tx.query(
      `select id, ${EXISTING_COLUMNS}, custom_fields
       from customers where id = any($1::uuid[])`,
      [ids.slice(i, i + 1000)],
    );
    for (const r of rows) out.push({ id: String(r.id), customer: customerToImported(r, rules) });
  }
  return out;
}

/** Changes whenever a customer is created, updated or deleted. */
async function customerBaseVersion(q: SqlClient): Promise<string> {
  const [row] = await q.query<{ v: string }>(
    `select count(*)::text || '/' || coalesce(max(updated_at), 'epoch')::text || '/' || coalesce(max(created_at), 'epoch')::text as v from customers`,
  );
  return row!.v;
}

export interface RunImportOptions extends ReadOptions {
  ownerId: string | null;
  /** Called when the job enters a phase (benchmarks use it to time the phases). */
  onPhase?: (phase: ImportPhase) => void;
  /** Called after each chunk of the write phase committed (tests and benchmarks). */
  onChunk?: (done: number, total: number) => void;
}

export async function runImportJob(ctx: AppContext, jobId: string, actor: AuthUser | null, options: RunImportOptions) {
  const [job] = await ctx.db.db.select().from(schema.importJobs).where(eq(schema.importJobs.id, jobId));
  if (!job?.uploadId) throw new Error(`import job ${jobId} has no upload`);
  const upload = await loadUpload(ctx, job.uploadId);
  const progress: LiveProgress = { phase: 'reading', rowsProcessed: 0, rowsTotal: job.rowsTotal ?? estimateRows(upload.bytes) };
  live.set(jobId, progress);
  options.onPhase?.('reading');
  const setJob = (values: Partial<typeof schema.importJobs.$inferInsert>) =>
    ctx.db.db.update(schema.importJobs).set(values).where(eq(schema.importJobs.id, jobId));
  const fail = async (error: { code: string; message: string; line?: number; details?: unknown }, report?: Record<string, unknown>) => {
    live.delete(jobId);
    await setJob({ status: 'failed', phase: 'done', error, report: report ?? null, finishedAt: new Date(), rowsProcessed: progress.rowsProcessed });
  };

  let staged = false;
  let completed = false;
  try {
    await setJob({ status: 'running', phase: 'reading', startedAt: new Date() });
    const rules = await loadDbRules(ctx.db);

    // Phase 1: read and validate everything (no writes).
    const opened = await openImport(upload.bytes, options, rules);
    const valid: ValidRow[] = [];
    const invalid: { line: number; errors: RowError[] }[] = [];
    try {
      for await (const r of opened.rows) {
        if (r.result.ok) valid.push({ line: r.line, customer: r.result.customer });
        else invalid.push({ line: r.line, errors: r.result.errors });
        if (++progress.rowsProcessed % 500 === 0) await yieldToEventLoop();
      }
    } catch (err) {
      if (err instanceof CsvImportError) {
        await fail({ code: err.code.toLowerCase(), message: `${err.message} Nothing was imported.`, line: err.line });
        return;
      }
      throw err;
    }
    const rowsTotal = valid.length + invalid.length;
    const errors = invalid.flatMap((r) => r.errors);
    const base = { fileName: job.fileName, encoding: opened.encoding.encoding, delimiter: opened.delimiter, mapping: opened.mapping, mode: job.mode, backfill: job.backfill };
    if (invalid.length > 0 && job.mode === 'all-or-nothing') {
      progress.rowsTotal = rowsTotal;
      await fail(
        {
          code: 'rows_invalid',
          message: `${invalid.length} of ${rowsTotal} rows have errors (first: line ${errors[0]!.line}${errors[0]!.column ? `, column "${errors[0]!.column}"` : ''}: ${errors[0]!.message}). Nothing was imported: fix the rows, or import with mode "skip-invalid".`,
          line: errors[0]!.line,
        },
        { ...base, totals: { rows: rowsTotal, created: 0, updated: 0, merged: 0, skipped: rowsTotal, invalid: invalid.length, conflicts: 0 }, errors: cut(errors) },
      );
      return;
    }
    await setJob({ phase: 'matching', rowsTotal, rowsProcessed: rowsTotal });
    Object.assign(progress, { phase: 'matching', rowsProcessed: 0, rowsTotal });
    options.onPhase?.('matching');

    // Phase 2, matching, runs outside the write transaction (on PGlite a transaction holds the only
    // connection); phase 3 re-checks under the lock that the customer base has not changed since,
    // and matches again inside the transaction in the rare case it has.
    const match = async (q: SqlClient) => {
      const identities = (
        await q.query<{ id: string; full_name: string; company: string | null; phone: string | null; email: string | null }>(
          `select id, full_name, company, phone, email from customers`,
        )
      ).map((r) => ({ id: r.id, name: r.full_name, company: r.company ?? undefined, phone: r.phone ?? undefined, email: r.email ?? undefined }));
      return planMerges(valid, identities, (ids) => loadExistingCustomers(q, ids, rules), undefined, (n) => (progress.rowsProcessed = n));
    };
    const snapshot = await customerBaseVersion(ctx.db.sql);
    let plan = await match(ctx.db.sql);

    // Phase 3: one import writes at a time (two imports never race each other into duplicates);
    // a customer base changed since matching is matched again first.
    const claim = await claimWriting(ctx, jobId);
    if ('pending' in claim) {
      await fail({ code: 'import_pending', message: claim.pending });
      return;
    }
    if (claim.version !== snapshot) plan = await match(ctx.db.sql);

    Object.assign(progress, { phase: 'writing', rowsProcessed: 0, rowsTotal: plan.created.length + plan.updated.length });
    options.onPhase?.('writing');
    const usedCustomKeys = new Map<string, string>();
    for (const [header, target] of Object.entries(opened.mapping)) if (target.startsWith('custom:')) usedCustomKeys.set(target.slice(7), header);
    const newKeys = [...usedCustomKeys].filter(([k]) => !rules.customFields.has(k)).map(([key, label]) => ({ key, label }));
    const keysWithValues = new Set(valid.flatMap((r) => Object.keys(r.customer.custom)));
    const customFields = newKeys.filter((k) => keysWithValues.has(k.key));
    const chunks = await buildChunks({ jobId, job, plan, rules, ownerId: options.ownerId, actor, invalid, errors, rowsTotal, base, customFields, uploadId: upload.id });
    await stageChunks(ctx.db.sql, jobId, chunks);
    // From here on the import is resumable: nothing of it is lost if the process dies.
    staged = true;
    const summary = await applyChunks(ctx, jobId, progress, options.onChunk);
    completed = true;
    live.delete(jobId);
    await afterImport(ctx, jobId, job.backfill, summary);
  } catch (err) {
    // Written completely: only telling the flow engine failed (logged by the caller).
    if (completed) throw err;
    if (staged || err instanceof WriteInterrupted) {
      // Part of it may be written: keep the rest of the plan, resumable, never "nothing imported".
      live.delete(jobId);
      const interrupted = err instanceof WriteInterrupted ? err : new WriteInterrupted(err as Error);
      await writeInterrupted(ctx, jobId, interrupted).catch(() => {});
      throw interrupted.cause;
    }
    await fail({ code: 'internal', message: `The import failed and nothing was imported: ${(err as Error).message}` }).catch(() => {});
    await ctx.db.sql.query(`delete from import_job_chunks where job_id = $1`, [jobId]).catch(() => {});
    throw err;
  }
}

interface ImportSummary {
  createdIds: string[];
  updatedIds: string[];
  changes: { customerId: string; changes: { field: string; old: unknown; new: unknown }[] }[];
}

/** After the last chunk committed: tell the flow engine (unless this was a backfill). */
async function afterImport(ctx: AppContext, jobId: string, backfill: boolean, summary: ImportSummary) {
  const events: DomainEvent[] = summary.createdIds.map((customerId) => ({ type: 'customer.created', customerId, source: 'import', backfill }));
  // Field changes may trigger flows ("field changed"): not during a backfill.
  if (!backfill) for (const c of summary.changes) events.push({ type: 'customer.updated', customerId: c.customerId, changes: c.changes });
  await emitEvents(ctx, events);
  if (!backfill) emitCustomersImported({ importId: jobId, createdIds: summary.createdIds, updatedIds: summary.updatedIds, at: new Date() });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets timers and other requests run (a long synchronous loop would hold the event loop). */
export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Waits while another import of this database is writing, then marks this job as the one
 * writing (phase 'writing', under an advisory lock) and returns the customer base version seen
 * then. An import stopped half-way by a database error must be resumed first.
 */
async function claimWriting(ctx: AppContext, jobId: string): Promise<{ version: string } | { pending: string }> {
  for (;;) {
    const r = await ctx.db.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('nudge.customer-import'))`);
      const [other] = await tx.query<{ id: string; status: string; file_name: string | null }>(
        `select id, status, file_name from import_jobs
         where id <> $1 and phase = 'writing' and (status = 'running' or (status = 'failed' and chunks_total is not null))
         order by status desc limit 1`,
        [jobId],
      );
      if (other?.status === 'running') return { wait: true as const };
      if (other) {
        return {
          pending: `Import ${other.id}${other.file_name ? ` ("${other.file_name}")` : ''} stopped half-way; resume it (POST /api/import/${other.id}/resume) before starting another. Nothing of this import was written.`,
        };
      }
      await tx.query(`update import_jobs set phase = 'writing' where id = $1`, [jobId]);
      return { version: await customerBaseVersion(tx) };
    });
    if (!('wait' in r)) return r;
    await sleep(200);
  }
}

/** A chunk kept failing: the job stops, resumable, with what was written so far. */
class WriteInterrupted extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

async function writeInterrupted(ctx: AppContext, jobId: string, err: WriteInterrupted) {
  const [counts] = await ctx.db.sql.query<{ done: string; total: string }>(
    `select coalesce(sum(customers) filter (where applied_at is not null), 0)::text as done, coalesce(sum(customers), 0)::text as total
     from import_job_chunks where job_id = $1`,
    [jobId],
  );
  const message = `The import stopped after ${counts!.done} of ${counts!.total} customers were written: ${err.message}. Nothing was lost and nothing is written twice: resume it with POST /api/import/${jobId}/resume.`;
  await ctx.db.sql.query(
    `update import_jobs set status = 'failed', phase = 'writing', error = $2::jsonb, finished_at = now(), rows_processed = $3 where id = $1`,
    [jobId, JSON.stringify({ code: 'write_interrupted', message }), Number(counts!.done)],
  );
}

const CHUNK_ATTEMPTS = 3;

/** Applies the job's chunks not applied yet, each in its own transaction; returns the summary stored with the last one. */
async function applyChunks(ctx: AppContext, jobId: string, progress: LiveProgress, onChunk?: (done: number, total: number) => void): Promise<ImportSummary> {
  const chunks = await ctx.db.sql.query<{ seq: number; applied: boolean; customers: number }>(
    `select seq, applied_at is not null as applied, customers from import_job_chunks where job_id = $1 order by seq`,
    [jobId],
  );
  progress.rowsTotal = chunks.reduce((n, c) => n + c.customers, 0);
  progress.rowsProcessed = chunks.reduce((n, c) => n + (c.applied ? c.customers : 0), 0);
  let done = chunks.filter((c) => c.applied).length;
  for (const chunk of chunks) {
    if (chunk.applied) continue;
    let result: ChunkResult;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await ctx.db.sql.transaction((tx) => applyChunk(tx, jobId, chunk.seq));
        break;
      } catch (err) {
        if (attempt >= CHUNK_ATTEMPTS) throw new WriteInterrupted(err as Error);
        await sleep(100 * 2 ** attempt);
      }
    }
    progress.rowsProcessed += chunk.customers;
    onChunk?.(++done, chunks.length);
    if (result.applied && result.final) return result.final.summary as ImportSummary;
    // Between two chunks the database (PGlite's only connection) is free for other requests.
    await yieldToEventLoop();
  }
  throw new Error(`import ${jobId}: its last chunk is missing`);
}

/**
 * Continues an import whose write phase was interrupted (a crash: at start-up; a database error:
 * POST /api/import/:id/resume) at the first chunk not applied. Resolves once the job is marked
 * running again; the writes go on in the background (waitForImport(id) awaits them).
 */
export async function startResume(ctx: AppContext, jobId: string): Promise<void> {
  if (running.has(jobId)) throw new HttpError(409, 'not_resumable', `Import ${jobId} is running.`);
  const [job] = await ctx.db.sql.query<{ backfill: boolean }>(
    `update import_jobs set status = 'running', phase = 'writing', error = null, finished_at = null
     where id = $1 and chunks_total is not null and phase = 'writing' and status in ('running', 'failed') returning backfill`,
    [jobId],
  );
  if (!job) throw new HttpError(409, 'not_resumable', `Import ${jobId} has no interrupted writes to resume.`);
  const progress: LiveProgress = { phase: 'writing', rowsProcessed: 0, rowsTotal: 0 };
  live.set(jobId, progress);
  const run = (async () => {
    try {
      const summary = await applyChunks(ctx, jobId, progress);
      live.delete(jobId);
      await afterImport(ctx, jobId, job.backfill, summary);
    } catch (err) {
      live.delete(jobId);
      if (err instanceof WriteInterrupted) await writeInterrupted(ctx, jobId, err).catch(() => {});
      console.error(`[import] resuming job ${jobId} failed:`, err);
    }
  })().finally(() => running.delete(jobId));
  running.set(jobId, run);
}

interface BuildInput {
  jobId: string;
  job: JobRow;
  plan: Awaited<ReturnType<typeof planMerges>>;
  rules: DbRules;
  ownerId: string | null;
  actor: AuthUser | null;
  invalid: { line: number; errors: RowError[] }[];
  errors: RowError[];
  rowsTotal: number;
  base: Record<string, unknown>;
  customFields: { key: string; label: string }[];
  uploadId: string;
}

/** The write plan in chunks of CHUNK customers, each with its tags, timeline entries and audit rows; the report last. */
async function buildChunks(input: BuildInput): Promise<{ payload: ChunkPayload; customers: number }[]> {
  const { jobId, job, plan, rules, actor } = input;
  const file = job.fileName ? `"${job.fileName}"` : 'a CSV file';
  const actorRef = actor ? { id: actor.id, email: actor.email } : null;
  const targets: (NewCustomerPlan | ExistingCustomerPlan)[] = [...plan.created, ...plan.updated];
  const out: { payload: ChunkPayload; customers: number }[] = [];
  for (let i = 0; i < targets.length || out.length === 0; i += CHUNK) {
    await yieldToEventLoop();
    const part = targets.slice(i, i + CHUNK);
    const created = part.filter((p): p is NewCustomerPlan => p.kind === 'new');
    const updated = part.filter((p): p is ExistingCustomerPlan => p.kind === 'existing');
    const timeline: TimelineEntry[] = [];
    const audit: AuditRow[] = [];
    for (const p of created) {
      const merged = p.lines.length > 1 ? `; merged with line(s) ${p.lines.slice(1).join(', ')} of the same file` : '';
      const conflicts = p.conflicts.length ? `; conflicting values not applied: ${describeConflicts(p.conflicts)}` : '';
      timeline.push({
        customer_id: p.id,
        kind: 'system',
        body: `Created by import of ${file} (line ${p.lines[0]})${merged}${conflicts}.`,
        payload: { event: 'import', importId: jobId, file, lines: p.lines, conflicts: p.conflicts },
      });
      if (p.lines.length > 1) {
        audit.push({ action: 'customer.merge', entity_type: 'customer', entity_id: p.id, fields: p.conflicts.map((c) => c.field), details: { importId: jobId, lines: p.lines, conflicts: p.conflicts } });
      }
    }
    for (const p of updated) {
      const filled = [...p.filled];
      const conflicts = p.conflicts.length ? `; conflicting values not applied: ${describeConflicts(p.conflicts)}` : '';
      timeline.push({
        customer_id: p.id,
        kind: 'system',
        body: `Matched by import of ${file} (line(s) ${p.lines.join(', ')})${filled.length ? `; filled ${filled.join(', ')}` : '; nothing new'}${conflicts}.`,
        payload: { event: 'import', importId: jobId, file, lines: p.lines, filled, conflicts: p.conflicts },
      });
      if (filled.length || p.conflicts.length) {
        audit.push({
          action: 'customer.merge',
          entity_type: 'customer',
          entity_id: p.id,
          fields: [...new Set([...filled, ...p.conflicts.map((c) => c.field)])],
          details: { importId: jobId, lines: p.lines, filled, conflicts: p.conflicts },
        });
      }
    }
    for (const p of part) {
      for (const n of p.notes) timeline.push({ customer_id: p.id, kind: 'note', body: n.text, payload: { event: 'import', importId: jobId, file, line: n.line } });
    }
    const links = part.flatMap((p) => [...p.tags].map((tag) => ({ customer_id: p.id, tag })));
    out.push({
      customers: part.length,
      payload: {
        actor: actorRef,
        created: newCustomerRecords(created, rules, input.ownerId),
        updated: updateRecords(updated, rules),
        tags: [...new Set(links.map((l) => l.tag))],
        links,
        timeline,
        audit,
        ...(i === 0 && input.customFields.length ? { customFields: input.customFields } : {}),
      },
    });
  }

  const count = (o: RowOutcome['outcome']) => plan.outcomes.filter((x) => x.outcome === o).length;
  const conflicts = targets.flatMap((p) => p.conflicts.map((c) => ({ customerId: p.id, ...c })));
  const skipped = [
    ...input.invalid.map((r) => ({ line: r.line, reason: 'invalid' as const, errors: r.errors })),
    ...plan.outcomes.flatMap((o) => (o.outcome === 'skipped' ? [{ line: o.line, reason: o.reason, customerId: o.customerId, matchedBy: o.reasons }] : [])),
  ].sort((a, b) => a.line - b.line);
  const totals = {
    rows: input.rowsTotal,
    created: count('created'),
    updated: count('updated'),
    merged: count('merged'),
    skipped: skipped.length,
    invalid: input.invalid.length,
    conflicts: conflicts.length,
    customersCreated: plan.created.length,
    customersUpdated: plan.updated.filter((p) => p.filled.size || p.conflicts.length || p.notes.length).length,
  };
  const report = {
    ...input.base,
    totals,
    created: cut(plan.outcomes.flatMap((o) => (o.outcome === 'created' ? [{ line: o.line, customerId: o.customerId }] : []))),
    updated: cut(plan.outcomes.flatMap((o) => (o.outcome === 'updated' ? [{ line: o.line, customerId: o.customerId, filled: o.filled, matchedBy: o.reasons, score: o.score }] : []))),
    merged: cut(plan.outcomes.flatMap((o) => (o.outcome === 'merged' ? [{ line: o.line, intoLine: o.intoLine, customerId: o.customerId, matchedBy: o.reasons, score: o.score }] : []))),
    skipped: cut(skipped),
    conflicts: cut(conflicts),
    errors: cut(input.errors),
    customFieldsDefined: input.customFields.map((k) => k.key),
    truncated: Object.values(totals).some((n) => n > REPORT_LIST_LIMIT),
  };
  const changes = plan.updated.flatMap((p) => {
    const list = [...p.filled]
      .filter((f) => f !== 'notes' && f !== 'tags')
      .map((f) => {
        const key = f.startsWith('custom:') ? f.slice(7) : f;
        const before = f.startsWith('custom:') ? p.before.custom[key] : (p.before as unknown as Record<string, unknown>)[f];
        let after = f.startsWith('custom:') ? p.customer.custom[key] : (p.customer as unknown as Record<string, unknown>)[f];
        if (customerFields.get(f)?.format === 'user') after = rules.users.get(String(after).toLowerCase())?.[0]?.id;
        return { field: f.startsWith('custom:') ? `customFields.${key}` : f, old: before ?? null, new: after ?? null };
      });
    return list.length ? [{ customerId: p.id, changes: list }] : [];
  });
  const summary: ImportSummary = {
    createdIds: plan.created.map((p) => p.id),
    updatedIds: plan.updated.filter((p) => p.filled.size || p.conflicts.length).map((p) => p.id),
    changes,
  };
  out.push({
    customers: 0,
    payload: {
      actor: actorRef,
      created: [],
      updated: [],
      tags: [],
      links: [],
      timeline: [],
      audit: [{ action: 'customer.import', entity_type: 'import', entity_id: jobId, fields: null, details: { fileName: job.fileName, mode: job.mode, backfill: job.backfill, totals } }],
      final: { report, rowsTotal: input.rowsTotal, uploadId: input.uploadId, summary },
    },
  });
  return out;
}
