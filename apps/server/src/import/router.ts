/**
 * /api/import — upload a CSV and preview it, start an import, poll its progress and report.
 *
 *   POST /api/import/preview            body: the CSV bytes (text/csv or application/octet-stream),
 *                                       query: fileName, defaultRegion, encoding, delimiter
 *   POST /api/import/preview/:uploadId  JSON { mapping?, defaultRegion?, encoding?, delimiter? } (re-preview)
 *   POST /api/import                    JSON { uploadId, mapping?, defaultRegion?, mode, backfill, ownerId? } → 202
 *   GET  /api/import/:id                status, phase, rowsProcessed / rowsTotal, error, report
 *   GET  /api/import                    recent imports with totals
 *   GET  /api/import/fields             the fields a column can be mapped to, the phone countries
 *   GET/PUT /api/import/settings        the organisation's default country for phone numbers
 *   GET  /api/import/:id/errors.csv     the row errors as CSV
 */
import express from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.js';
import { createApiRouter } from '../http/route.js';
import { HttpError } from '../http/errors.js';
import { createCsvWriter, importTargets } from '@nudge/customer-import';
import { getImportJob, importErrors, listImportJobs, previewUpload, ReadOptionsBody, startImport, StartImportBody, startResume, storeUpload } from './service.js';
import { setting } from '../config.js';
import { ImportSettingsBody, loadImportSettings, PHONE_REGIONS, saveImportSettings, type ImportSettings } from './settings.js';

const MAX_UPLOAD = setting('NUDGE_IMPORT_MAX_BYTES');
const ImportSettingsOut = ImportSettingsBody.extend({ regions: z.array(z.string()).describe('countries a phone number can be read in (ISO 3166 alpha-2)') }).meta({ id: 'ImportSettingsOut' });

const PreviewQuery = z.object({
  fileName: z.string().max(255).optional(),
  defaultRegion: ReadOptionsBody.shape.defaultRegion,
  encoding: ReadOptionsBody.shape.encoding,
  delimiter: ReadOptionsBody.shape.delimiter,
});

export function createImportRouter(ctx: AppContext): express.Router {
  const { router, route } = createApiRouter(ctx, '/api/import', 'Import');
  router.use(express.raw({ type: ['text/csv', 'text/plain', 'application/csv', 'application/octet-stream'], limit: MAX_UPLOAD }));

  route({
    method: 'post',
    path: '/preview',
    summary: 'Upload a CSV file and preview it',
    description:
      'Send the file as the raw request body (Content-Type: text/csv). Answers the detected encoding, the headers, the suggested mapping, the first 20 rows mapped and the row errors found in the first 1000 rows. Keep uploadId to start the import.',
    query: PreviewQuery,
    action: 'import.run',
    status: 201,
    handler: async ({ req, query, user }) => {
      if (!Buffer.isBuffer(req.body)) {
        throw new HttpError(415, 'unsupported_media_type', 'Send the CSV file itself as the request body, with Content-Type: text/csv.');
      }
      const uploadId = await storeUpload(ctx, user, req.body, query.fileName);
      return previewUpload(ctx, uploadId, query);
    },
  });

  route({
    method: 'post',
    path: '/preview/:uploadId',
    summary: 'Preview an uploaded CSV file again with another mapping or region',
    params: z.object({ uploadId: z.uuid() }),
    body: ReadOptionsBody,
    action: 'import.run',
    handler: ({ params, body }) => previewUpload(ctx, params.uploadId, body),
  });

  route({
    method: 'post',
    path: '/',
    summary: 'Start importing an uploaded CSV file',
    description: 'mode all-or-nothing imports nothing if any row is invalid; skip-invalid imports the valid rows and reports the others. backfill: true fires no flow triggers.',
    body: StartImportBody,
    action: 'import.run',
    status: 202,
    handler: ({ body, user }) => startImport(ctx, user, body),
  });

  route({
    method: 'get',
    path: '/fields',
    summary: 'The customer fields a column can be mapped to (besides "custom:<key>" and "ignore"), and the countries a phone number can be read in',
    action: 'import.run',
    handler: () => ({ fields: importTargets().map(({ name, required }) => ({ name, required })), regions: PHONE_REGIONS }),
  });

  route({
    method: 'get',
    path: '/settings',
    summary: "The organisation's import settings: the country of phone numbers written without +country code",
    description: 'Read by everyone who adds customers by hand: the customer form presets its country from it. `regions` lists the countries a phone number can be read in.',
    action: 'importSettings.read',
    response: ImportSettingsOut,
    handler: async () => ({ ...(await loadImportSettings(ctx)), regions: PHONE_REGIONS }),
  });

  route({
    method: 'put',
    path: '/settings',
    summary: "Set the organisation's import settings (each import's mapping step starts from them)",
    action: 'importSettings.change',
    body: ImportSettingsBody,
    response: ImportSettingsBody,
    handler: ({ body }) => saveImportSettings(ctx, body as ImportSettings),
  });

  route({
    method: 'get',
    path: '/',
    summary: 'Recent imports (newest first) with their status and totals',
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
    action: 'import.run',
    handler: ({ query }) => listImportJobs(ctx, query.limit),
  });

  route({
    method: 'get',
    path: '/:id/errors.csv',
    summary: 'The row errors of an import as CSV (line, column, field, message)',
    params: z.object({ id: z.uuid() }),
    action: 'import.run',
    produces: 'text/csv',
    handler: async ({ params, res }) => {
      const errors = await importErrors(ctx, params.id);
      res.status(200);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="import-${params.id}-errors.csv"`);
      const writer = createCsvWriter(['line', 'column', 'field', 'message'], { bom: true });
      writer.stream.pipe(res);
      for (const e of errors) writer.write([e.line, e.column, e.field, e.message]);
      writer.end();
      await new Promise((resolve) => res.on('finish', resolve));
    },
  });

  route({
    method: 'get',
    path: '/:id',
    summary: 'Progress and report of an import',
    params: z.object({ id: z.uuid() }),
    action: 'import.run',
    handler: ({ params }) => getImportJob(ctx, params.id),
  });

  route({
    method: 'post',
    path: '/:id/resume',
    summary: 'Resume an import stopped half-way by a database error',
    description:
      'An import whose writes failed (error code write_interrupted) kept the rest of its plan: this continues it at the first chunk not written (none is written twice). Imports cut off by a crash are resumed at start-up.',
    params: z.object({ id: z.uuid() }),
    action: 'import.run',
    status: 202,
    handler: async ({ params }) => {
      const job = await getImportJob(ctx, params.id);
      if (!(job.status === 'failed' && job.phase === 'writing' && job.error?.code === 'write_interrupted')) {
        throw new HttpError(409, 'not_resumable', `Import ${params.id} is ${job.status}${job.error ? ` (${job.error.code})` : ''}: only an import stopped by a write error can be resumed.`);
      }
      await startResume(ctx, params.id);
      return getImportJob(ctx, params.id);
    },
  });

  return router;
}
