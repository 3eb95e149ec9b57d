/**
 * The customer import: upload → preview → start → poll. A job reads and validates the whole file
 * first (nothing written), matches the rows against the customer base, then writes everything in
 * ONE transaction under an advisory lock (two imports never race each other into duplicates; a
 * customer base changed since matching is matched again under the lock): all-or-nothing, never
 * half an import. Progress is kept in memory while a job runs and in import_jobs at each phase.
 */
import { createHash } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { customerFields, schema, type SqlClient } from '@nudge/db';
import { CsvImportError, columnMappingSchema, regionSchema, type ImportedCustomer, type RowError } from '@nudge/customer-import';
import type { AppContext, DomainEvent } from '../context.js';
import { emitEvents } from '../context.js';
import type { AuthUser } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { emitCustomersImported } from './events.js';
import { planMerges, type ExistingCustomer, type RowOutcome } from './matching.js';
import { estimateRows, loadDbRules, openImport, type DbRules, type ReadOptions, type ValidRow } from './reading.js';
import { defineCustomFields, insertAudit, insertCustomers, insertInteractions, linkTags, updateCustomers, type AuditRow, type TimelineEntry } from './writing.js';

/** Region for phone numbers written without a country code, unless the import says otherwise. */
const defaultRegion = () => regionSchema.parse(process.env.NUDGE_DEFAULT_REGION ?? 'TW');

export const IMPORT_MODES = ['all-or-nothing', 'skip-invalid'] as const;

export const ReadOptionsBody = z.object({
  mapping: columnMappingSchema.optional().describe('header → field, "custom:<key>" or "ignore"; overrides the suggestion'),
  defaultRegion: regionSchema.optional().describe('region for phone numbers without a country code (default NUDGE_DEFAULT_REGION or TW)'),
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

function readOptions(body: z.infer<typeof ReadOptionsBody>): ReadOptions {
  return { mapping: body.mapping, defaultRegion: body.defaultRegion ?? defaultRegion(), encoding: body.encoding, delimiter: body.delimiter };
}

export async function storeUpload(ctx: AppContext, actor: AuthUser, bytes: Uint8Array, fileName?: string): Promise<string> {
  if (bytes.length === 0) throw new HttpError(400, 'csv_empty', 'The upload is empty: send the CSV file as the request body (Content-Type: text/csv).');
  const [row] = await ctx.db.db
    .insert(schema.importUploads)
    .values({ bytes, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), fileName: fileName ?? null, createdBy: actor.id })
    .returning({ id: schema.importUploads.id });
  return row!.id;
}

async function loadUpload(ctx: AppContext, uploadId: string) {
  const [row] = await ctx.db.db.select().from(schema.importUploads).where(eq(schema.importUploads.id, uploadId));
  if (!row) throw new HttpError(404, 'not_found', `Upload ${uploadId} does not exist (it is removed once imported); upload the file again.`);
  return { ...row, bytes: new Uint8Array(row.bytes) };
}

export async function previewUpload(ctx: AppContext, uploadId: string, body: z.infer<typeof ReadOptionsBody>) {
  const upload = await loadUpload(ctx, uploadId);
  const options = readOptions(body);
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
  const options = readOptions(body);
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
 * process that died are marked failed — their transaction never committed, so nothing of them was
 * written — and uploads older than `keepUploadsHours` that no import is using are removed.
 */
export async function recoverInterruptedImports(ctx: AppContext, keepUploadsHours = 72): Promise<{ failedJobs: number; removedUploads: number }> {
  const jobs = await ctx.db.sql.query<{ id: string }>(
    `update import_jobs set status = 'failed', phase = 'done', finished_at = now(),
       error = '{"code":"interrupted","message":"The server stopped during this import; nothing was imported. Start it again."}'::jsonb
     where status in ('queued', 'running') and not (id = any($1::uuid[])) returning id`,
    [[...running.keys()]],
  );
  const uploads = await ctx.db.sql.query<{ id: string }>(
    `delete from import_uploads u where u.created_at < now() - make_interval(hours => $1::int)
       and not exists (select 1 from import_jobs j where j.upload_id = u.id and j.status in ('queued', 'running'))
     returning u.id`,
    [keepUploadsHours],
  );
  return { failedJobs: jobs.length, removedUploads: uploads.length };
}

function cut<T>(list: T[]): T[] {
  return list.length > REPORT_LIST_LIMIT ? list.slice(0, REPORT_LIST_LIMIT) : list;
}

function describeConflicts(conflicts: { field: string; kept: unknown; incoming: unknown; line: number }[]): string {
  return conflicts.map((c) => `${c.field}: kept ${JSON.stringify(c.kept)}, file had ${JSON.stringify(c.incoming)} (line ${c.line})`).join('; ');
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
        progress.rowsProcessed++;
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

    const summary = await ctx.db.sql.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext('nudge.customer-import'))`);
      if ((await customerBaseVersion(tx)) !== snapshot) plan = await match(tx);

      Object.assign(progress, { phase: 'writing', rowsProcessed: 0, rowsTotal: plan.created.length + plan.updated.length });
      options.onPhase?.('writing');
      const usedCustomKeys = new Map<string, string>();
      for (const [header, target] of Object.entries(opened.mapping)) if (target.startsWith('custom:')) usedCustomKeys.set(target.slice(7), header);
      const newKeys = [...usedCustomKeys].filter(([k]) => !rules.customFields.has(k)).map(([key, label]) => ({ key, label }));
      const keysWithValues = new Set(valid.flatMap((r) => Object.keys(r.customer.custom)));
      await defineCustomFields(tx, newKeys.filter((k) => keysWithValues.has(k.key)));

      await insertCustomers(tx, plan.created, rules, options.ownerId, (n) => (progress.rowsProcessed += n));
      await updateCustomers(tx, plan.updated, rules, (n) => (progress.rowsProcessed += n));
      await linkTags(tx, [...plan.created, ...plan.updated], actor?.id ?? null);

      const timeline: TimelineEntry[] = [];
      const audit: AuditRow[] = [];
      const file = job.fileName ? `"${job.fileName}"` : 'a CSV file';
      for (const p of plan.created) {
        const merged = p.lines.length > 1 ? `; merged with line(s) ${p.lines.slice(1).join(', ')} of the same file` : '';
        const conflicts = p.conflicts.length ? `; conflicting values not applied: ${describeConflicts(p.conflicts)}` : '';
        timeline.push({
          customer_id: p.id,
          kind: 'system',
          body: `Created by import of ${file} (line ${p.lines[0]})${merged}${conflicts}.`,
          payload: { event: 'import', importId: jobId, lines: p.lines, conflicts: p.conflicts },
        });
        if (p.lines.length > 1) {
          audit.push({ action: 'customer.merge', entity_type: 'customer', entity_id: p.id, fields: p.conflicts.map((c) => c.field), details: { importId: jobId, lines: p.lines, conflicts: p.conflicts } });
        }
      }
      for (const p of plan.updated) {
        const filled = [...p.filled];
        const conflicts = p.conflicts.length ? `; conflicting values not applied: ${describeConflicts(p.conflicts)}` : '';
        timeline.push({
          customer_id: p.id,
          kind: 'system',
          body: `Matched by import of ${file} (line(s) ${p.lines.join(', ')})${filled.length ? `; filled ${filled.join(', ')}` : '; nothing new'}${conflicts}.`,
          payload: { event: 'import', importId: jobId, lines: p.lines, filled, conflicts: p.conflicts },
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
      for (const p of [...plan.created, ...plan.updated]) {
        for (const n of p.notes) timeline.push({ customer_id: p.id, kind: 'note', body: n.text, payload: { event: 'import', importId: jobId, line: n.line } });
      }
      await insertInteractions(tx, timeline, actor?.id ?? null);

      const count = (o: RowOutcome['outcome']) => plan.outcomes.filter((x) => x.outcome === o).length;
      const conflicts = [...plan.created, ...plan.updated].flatMap((p) => p.conflicts.map((c) => ({ customerId: p.id, ...c })));
      const skipped = [
        ...invalid.map((r) => ({ line: r.line, reason: 'invalid' as const, errors: r.errors })),
        ...plan.outcomes.flatMap((o) => (o.outcome === 'skipped' ? [{ line: o.line, reason: o.reason, customerId: o.customerId, matchedBy: o.reasons }] : [])),
      ].sort((a, b) => a.line - b.line);
      const totals = {
        rows: rowsTotal,
        created: count('created'),
        updated: count('updated'),
        merged: count('merged'),
        skipped: skipped.length,
        invalid: invalid.length,
        conflicts: conflicts.length,
        customersCreated: plan.created.length,
        customersUpdated: plan.updated.filter((p) => p.filled.size || p.conflicts.length || p.notes.length).length,
      };
      const report = {
        ...base,
        totals,
        created: cut(plan.outcomes.flatMap((o) => (o.outcome === 'created' ? [{ line: o.line, customerId: o.customerId }] : []))),
        updated: cut(plan.outcomes.flatMap((o) => (o.outcome === 'updated' ? [{ line: o.line, customerId: o.customerId, filled: o.filled, matchedBy: o.reasons, score: o.score }] : []))),
        merged: cut(plan.outcomes.flatMap((o) => (o.outcome === 'merged' ? [{ line: o.line, intoLine: o.intoLine, customerId: o.customerId, matchedBy: o.reasons, score: o.score }] : []))),
        skipped: cut(skipped),
        conflicts: cut(conflicts),
        errors: cut(errors),
        customFieldsDefined: newKeys.filter((k) => keysWithValues.has(k.key)).map((k) => k.key),
        truncated: Object.values(totals).some((n) => n > REPORT_LIST_LIMIT),
      };
      audit.push({
        action: 'customer.import',
        entity_type: 'import',
        entity_id: jobId,
        fields: null,
        details: { fileName: job.fileName, mode: job.mode, backfill: job.backfill, totals },
      });
      await insertAudit(tx, audit, actor);
      await tx.query(
        `update import_jobs set status = 'completed', phase = 'done', rows_processed = $2, rows_total = $2, report = $3::jsonb, finished_at = now(), upload_id = null where id = $1`,
        [jobId, rowsTotal, JSON.stringify(report)],
      );
      await tx.query(`delete from import_uploads where id = $1`, [upload.id]);
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
      return { createdIds: plan.created.map((p) => p.id), updatedIds: plan.updated.filter((p) => p.filled.size || p.conflicts.length).map((p) => p.id), changes };
    });
    live.delete(jobId);

    // After commit: tell the flow engine (unless this was a backfill).
    const events: DomainEvent[] = summary.createdIds.map((customerId) => ({ type: 'customer.created', customerId, source: 'import', backfill: job.backfill }));
    // Field changes may trigger flows ("field changed"): not during a backfill.
    if (!job.backfill) for (const c of summary.changes) events.push({ type: 'customer.updated', customerId: c.customerId, changes: c.changes });
    await emitEvents(ctx, events);
    if (!job.backfill) emitCustomersImported({ importId: jobId, createdIds: summary.createdIds, updatedIds: summary.updatedIds, at: new Date() });
  } catch (err) {
    await fail({ code: 'internal', message: `The import failed and nothing was imported: ${(err as Error).message}` }).catch(() => {});
    throw err;
  }
}
