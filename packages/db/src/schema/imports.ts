import { customType, index, integer, jsonb, pgEnum, pgTable, boolean, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({ dataType: () => 'bytea' });

/** A CSV file as uploaded for a preview, kept until an import of it finishes (or it is cleaned up). */
export const importUploads = pgTable('import_uploads', {
  id: uuid('id').primaryKey().defaultRandom(),
  fileName: text('file_name'),
  bytes: bytea('bytes').notNull(),
  size: integer('size').notNull(),
  sha256: text('sha256').notNull(),
  createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

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
    report: jsonb('report').$type<Record<string, unknown>>(),
    error: jsonb('error').$type<{ code: string; message: string; line?: number; details?: unknown }>(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('import_jobs_created_idx').on(t.createdAt), index('import_jobs_status_idx').on(t.status)],
);
