// Customer-side endpoints (customers, segments, tags, import, data quality), typed.
import { z } from 'zod';
import { CustomerListOut, CustomerOut, FieldOut, FieldsOut, InteractionOut, SegmentCountOut, SegmentListOut, SegmentOut, TagGroupListOut, TagHealthOut, TagListOut, TagOnCustomer, TagOut, TimelineOut } from '@nudge/contracts';
import { api } from '../api/client';

const id = z.union([z.string(), z.number()]).transform(String);
const nullableStr = z.string().nullish();

// Customers, their timeline and the field registry: the server's own schemas (@nudge/contracts).
export const customerTag = TagOnCustomer;
export const customer = CustomerOut;
export type Customer = z.infer<typeof customer>;

/** One customer field as GET /api/fields describes it (the server's field registry). */
export const customerField = FieldOut;
export type CustomerField = z.infer<typeof customerField>;
export const customerPage = CustomerListOut;

export const interaction = InteractionOut;
export type Interaction = z.infer<typeof interaction>;
export const timeline = TimelineOut;

export const segment = SegmentOut;
export type Segment = SegmentOut;
export const segmentList = SegmentListOut;
export const segmentCount = SegmentCountOut;

export const tag = TagOut;
export const tagList = TagListOut;
export const tagHealth = TagHealthOut;

export const rowError = z.object({
  line: z.number(),
  column: nullableStr,
  field: nullableStr,
  message: z.string(),
  /** what is wrong, as a code the editor words (see i18n/wording.ts), with its params */
  code: nullableStr,
  params: z.record(z.string(), z.union([z.string(), z.number()])).nullish(),
});
export type RowError = z.infer<typeof rowError>;
export const importPreview = z.object({
  uploadId: z.string(),
  fileName: nullableStr,
  encoding: z.union([z.string(), z.object({ encoding: z.string(), bom: z.boolean().optional(), confidence: z.number().optional() }).loose().transform((e) => `${e.encoding}${e.bom ? ' (BOM)' : ''}`)]),
  defaultRegion: z.string().optional(),
  delimiter: z.string().optional(),
  headers: z.array(z.string()),
  suggestions: z.array(z.object({ header: z.string(), target: z.string(), match: z.string() })).default([]),
  mapping: z.record(z.string(), z.string()),
  estimatedRows: z.number().optional(),
  rows: z.array(z.object({ line: z.number(), values: z.array(z.string()), customer: z.record(z.string(), z.unknown()).optional(), errors: z.array(rowError).optional() })),
  scannedRows: z.number().optional(),
  errors: z.array(rowError).default([]),
  fatal: z.object({ code: z.string(), message: z.string(), line: z.number().optional() }).optional(),
});
export type ImportPreview = z.infer<typeof importPreview>;
const importSettings = z.object({ defaultRegion: z.string(), regions: z.array(z.string()).default([]) });
const reportLine = z.object({ line: z.number() }).loose();
export const importReport = z
  .object({
    totals: z.record(z.string(), z.number()),
    created: z.array(reportLine).default([]),
    updated: z.array(reportLine).default([]),
    merged: z.array(reportLine).default([]),
    skipped: z.array(z.object({ line: z.number(), reason: z.string(), errors: z.array(rowError).optional(), customerId: nullableStr }).loose()).default([]),
    conflicts: z.array(z.object({ field: z.string(), kept: z.unknown(), incoming: z.unknown(), line: z.number() }).loose()).default([]),
    errors: z.array(rowError).default([]),
    truncated: z.boolean().optional(),
  })
  .loose();
export type ImportReport = z.infer<typeof importReport>;
export const importJob = z.object({
  id,
  status: z.string(),
  phase: z.string().nullish(),
  rowsProcessed: z.number().default(0),
  rowsTotal: z.number().nullish(),
  error: z.object({ code: z.string(), message: z.string(), line: z.number().optional() }).loose().nullish(),
  report: importReport.nullish(),
});
export type ImportJob = z.infer<typeof importJob>;

export const customersApi = {
  list: (q: Record<string, string | number | undefined>, signal?: AbortSignal) => api.get('/customers', customerPage, q, signal),
  get: (cid: string, signal?: AbortSignal) => api.get(`/customers/${cid}`, customer, undefined, signal),
  timeline: (cid: string, before?: string, signal?: AbortSignal) => api.get(`/customers/${cid}/timeline`, timeline, { before, limit: 50 }, signal),
  addNote: (cid: string, body: string) => api.post(`/customers/${cid}/notes`, z.unknown(), { body }),
  segments: (signal?: AbortSignal) => api.get('/segments', segmentList, undefined, signal),
  countSegment: (definition: unknown, signal?: AbortSignal) => api.post('/segments/count', segmentCount, { definition }).then((r) => (signal?.aborted ? r : r)),
  saveSegment: (name: string, definition: unknown) => api.post('/segments', segment, { name, definition }),
  tags: (signal?: AbortSignal) => api.get('/tags', tagList, undefined, signal),
  tagGroups: (signal?: AbortSignal) => api.get('/tags/groups', TagGroupListOut, undefined, signal),
  createTag: (body: { name: string; groupId?: string | null; color?: string; description?: string | null; defaultLifetimeHours?: number | null }) => api.post('/tags', tag, body),
  deleteTag: (tagId: string) => api.del(`/tags/${tagId}`, z.unknown()),
  tagCustomer: (cid: string, body: { tag: string; expiresAt?: string | null; lifetimeHours?: number }) => api.post(`/customers/${cid}/tags`, z.unknown(), body),
  untagCustomer: (cid: string, tagName: string) => api.del(`/customers/${cid}/tags/${encodeURIComponent(tagName)}`, z.unknown()),
  tagHealth: (signal?: AbortSignal) => api.get('/tags/health', tagHealth, undefined, signal),
  preview: (file: Blob, fileName: string) => api.post('/import/preview', importPreview, file, { fileName }),
  repreview: (uploadId: string, body: { mapping?: Record<string, string>; defaultRegion?: string }) => api.post(`/import/preview/${uploadId}`, importPreview, body),
  startImport: (body: { uploadId: string; mapping?: Record<string, string>; mode: string; backfill: boolean; defaultRegion?: string }) => api.post('/import', importJob, body),
  importJob: (jobId: string) => api.get(`/import/${jobId}`, importJob),
  fields: (signal?: AbortSignal) => api.get('/fields', FieldsOut, undefined, signal).then((r) => r.fields),
  /** The fields a column can be mapped to and the countries a phone number can be read in. */
  importFields: (signal?: AbortSignal) =>
    api.get('/import/fields', z.object({ fields: z.array(z.object({ name: z.string(), required: z.boolean() })), regions: z.array(z.string()).default([]) }), undefined, signal),
  create: (body: { fullName: string } & Record<string, string | null>) => api.post('/customers', customer, body),
  update: (cid: string, body: Record<string, string | null>) => api.patch(`/customers/${cid}`, customer, body),
  importSettings: (signal?: AbortSignal) => api.get('/import/settings', importSettings, undefined, signal),
  saveImportSettings: (body: { defaultRegion: string }) => api.put('/import/settings', importSettings, body),

};
