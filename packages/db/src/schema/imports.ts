import { customType, index, integer, jsonb, pgEnum, pgTable, boolean, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/**
 * A CSV file as uploaded for a preview, kept until an import of it finishes (or it is cleaned up).
 * Its bytes are in import_upload_parts (null `bytes` here); an upload stored whole in `bytes` (older
 * rows, scripts) is read the same way.
 */
export const importUploads = pgTable('import_uploads', {
  id: uuid('id').primaryKey().defaultRandom(),
  fileName: text('file_name'),
  bytes: bytea('bytes'),
  size: integer('size').notNull(),
  sha256: text('sha256').notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * An upload's bytes in parts of a few hundred KB, written and read one query each: on PGlite one
 * query holds the only connection (and the event loop) while it runs, and a 100 MB file in one
 * bytea parameter would hold both for seconds.
 */
export const importUploadParts = pgTable(
  'import_upload_parts',
  {
    uploadId: uuid('upload_id').notNull().references(() => importUploads.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    bytes: bytea('bytes').notNull(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.seq] })],
);

export const importStatus = pgEnum('import_status', ['queued', 'running', 'completed', 'failed']);
export const IMPORT_STATUSES = importStatus.enumValues;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** One customer import: its options, live progress (polled by the UI) and its final report. */
export const importJobs = pgTable(
  'import_jobs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    uploadId: uuid('upload_id').references(() => importUploads.id, { onDelete: 'set null' }),
    fileName: text('file_name'),
    status: importStatus('status').notNull().default('queued'),
    /** reading | matching | writing | done */
    phase: text('phase').notNull().default('queued'),
    /** all-or-nothing | skip-invalid */
    mode: text('mode').notNull(),
    /** When true, no flow triggers fire for the imported customers. */
    backfill: boolean('backfill').notNull().default(false),
    defaultRegion: text('default_region').notNull(),
    encoding: text('encoding'),
    mapping: jsonb('mapping').$type<Record<string, string>>(),
    rowsTotal: integer('rows_total'),
    rowsProcessed: integer('rows_processed').notNull().default(0),
    /**
     * Set once the whole write plan is stored in import_job_chunks: from then on the import is
     * resumable (each chunk is written in its own transaction; an interrupted job continues at
     * the first chunk not applied). Null while nothing of the job can have been written.
     */
    chunksTotal: integer('chunks_total'),
    report: jsonb('report').$type<Record<string, unknown>>(),
    error: jsonb('error').$type<{ code: string; message: string; line?: number; details?: unknown }>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('import_jobs_created_idx').on(t.createdAt), index('import_jobs_status_idx').on(t.status)],
);

/**
 * The write plan of an import, in chunks of at most a few hundred customers: each chunk is applied
 * in its own short transaction (so other requests get the database between chunks) and marked
 * applied in the same transaction, so a crash never applies a chunk twice or loses one. Removed
 * when the import completes.
 */
export const importJobChunks = pgTable(
  'import_job_chunks',
  {
    jobId: uuid('job_id')
      .notNull()
      .references(() => importJobs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    /** What to write (customers, updates, tags, timeline, audit); null once applied. */
    payload: jsonb('payload').$type<Record<string, unknown>>(),
    /** Customers (created + updated) this chunk writes, for the progress. */
    customers: integer('customers').notNull().default(0),
    appliedAt: timestamp('applied_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
);
