// CSV import wizard: upload → mapping and preview (with per-row errors) → import with progress →
// final report (created / updated / merged / skipped with reasons, conflicts kept).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/format';
import { cellErrorText } from '../i18n/wording';
import { ErrorBanner, errorText, Spinner, useLoad } from '../ui/common';
import { ApiError } from '../api/client';
import { customersApi, type ImportJob, type ImportPreview, type ImportReport } from './api';
import { regionOptions } from './regions';
import { useCan } from '../shell/session';
import { NotForRole } from '../ui/NotForRole';

type Step = 'upload' | 'mapping' | 'running' | 'report';
/** Rows listed under the preview; the rest are counted. */
const LISTED_ERROR_ROWS = 50;

export function ImportWizard() {
  return useCan()('import.run') ? <ImportSteps /> : <NotForRole />;
}

function ImportSteps() {
  const { t } = useTranslation();
  const [step, setStep] = useState<Step>('upload');
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [mapping, setMapping] = useState<Record<string, string>>({});
  // The country of numbers without +country code: the organisation's, as the preview says, until changed.
  const [region, setRegion] = useState<string | undefined>(undefined);
  const [mode, setMode] = useState<'all-or-nothing' | 'skip-invalid'>('skip-invalid');
  const [backfill, setBackfill] = useState(false);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function upload(file: File) {
    setBusy(true);
    setError(null);
    try {
      const p = await customersApi.preview(file, file.name);
      setPreview(p);
      setMapping(p.mapping);
      setRegion(p.defaultRegion);
      setStep('mapping');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function remap(next: Record<string, string>, nextRegion = region) {
    setMapping(next);
    setRegion(nextRegion);
    if (!preview) return;
    try {
      setPreview(await customersApi.repreview(preview.uploadId, { mapping: next, defaultRegion: nextRegion }));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }

  async function start() {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      const j = await customersApi.startImport({ uploadId: preview.uploadId, mapping, mode, backfill, defaultRegion: region });
      setJob(j);
      setStep('running');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (step !== 'running' || !job) return;
    if (job.status === 'completed' || job.status === 'failed') {
      setStep('report');
      return;
    }
    const h = setTimeout(() => {
      customersApi.importJob(job.id).then(setJob).catch(setError);
    }, 400);
    return () => clearTimeout(h);
  }, [step, job]);

  function reset() {
    setStep('upload');
    setPreview(null);
    setJob(null);
    setError(null);
  }

  const steps: Step[] = ['upload', 'mapping', 'running', 'report'];
  return (
    <section className="page import-wizard">
      <header className="page-head">
        <h2>{t('import.title')}</h2>
      </header>
      <ol className="wizard-steps">
        {steps.map((s, i) => (
          <li key={s} className={s === step ? 'current' : steps.indexOf(step) > i ? 'done' : ''}>
            {i + 1}. {t(`import.step_${s}`)}
          </li>
        ))}
      </ol>
      <ErrorBanner error={error} />
      {step === 'upload' && (
        <div className="card">
          <p>{t('import.uploadHint')}</p>
          <input type="file" accept=".csv,text/csv" aria-label={t('import.chooseFile')} disabled={busy} onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} />
          {busy && <Spinner />}
        </div>
      )}
      {step === 'mapping' && preview && (
        <MappingStep preview={preview} mapping={mapping} onMapping={(m) => void remap(m)} region={region} onRegion={(r) => void remap(mapping, r)} mode={mode} onMode={setMode} backfill={backfill} onBackfill={setBackfill} onStart={() => void start()} onBack={reset} busy={busy} />
      )}
      {step === 'running' && job && <Progress job={job} />}
      {step === 'report' && job && (
        <>
          {job.status === 'failed' && job.error ? (
            <div className="error-banner" role="alert">
              <strong>{t('import.failed')}</strong> {errorText(new ApiError(422, job.error.code, job.error.message, { line: job.error.line }), t)}
              {job.error.line && !t(`apiErrors.${job.error.code}`, { defaultValue: '' }) ? ` (${t('import.line', { line: job.error.line })})` : ''}
            </div>
          ) : null}
          {job.report && <Report report={job.report} />}
          <button type="button" className="primary" onClick={reset}>
            {t('import.another')}
          </button>
        </>
      )}
    </section>
  );
}

function MappingStep(props: {
  preview: ImportPreview; mapping: Record<string, string>; onMapping: (m: Record<string, string>) => void;
  region: string | undefined; onRegion: (region: string) => void;
  mode: string; onMode: (m: 'all-or-nothing' | 'skip-invalid') => void; backfill: boolean; onBackfill: (b: boolean) => void;
  onStart: () => void; onBack: () => void; busy: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { preview, mapping } = props;
  // The fields a column can be mapped to: the server's field registry (GET /api/import/fields).
  const options = useLoad((signal) => customersApi.importFields(signal), []).data;
  const targets = options?.fields ?? [];
  const regions = regionOptions(options?.regions ?? [], props.region, i18n.language);
  const errorsByLine = new Map<number, string[]>();
  for (const e of preview.errors) errorsByLine.set(e.line, [...(errorsByLine.get(e.line) ?? []), cellErrorText(e, t)]);
  return (
    <div className="stack">
      <div className="card">
        <p className="muted small">
          {t('import.detected', { encoding: preview.encoding, rows: formatNumber(preview.estimatedRows ?? preview.rows.length, i18n.language) })}
        </p>
        {preview.fatal && (
          <div className="error-banner" role="alert">
            {errorText(new ApiError(422, preview.fatal.code, preview.fatal.message, { line: preview.fatal.line }), t)}
          </div>
        )}
        <div className="field import-country">
          <label htmlFor="import-country" className="field-label">
            {t('import.country')}
          </label>
          <select id="import-country" value={props.region ?? ''} onChange={(e) => props.onRegion(e.target.value)} aria-describedby="import-country-hint">
            {regions.map((r) => (
              <option key={r.code} value={r.code}>
                {r.name}
              </option>
            ))}
          </select>
          <span id="import-country-hint" className="muted small">
            {t('import.countryHint')}
          </span>
        </div>
        <h3>{t('import.mapping')}</h3>
        <table className="table compact" data-testid="mapping-table">
          <thead>
            <tr>
              <th>{t('import.column')}</th>
              <th>{t('import.field')}</th>
              <th>{t('import.sample')}</th>
            </tr>
          </thead>
          <tbody>
            {preview.headers.map((h, i) => {
              const target = mapping[h] ?? 'ignore';
              const custom = target.startsWith('custom:');
              return (
                <tr key={h}>
                  <td>{h}</td>
                  <td>
                    <select aria-label={t('import.mapColumn', { column: h })} value={custom ? 'custom' : target} onChange={(e) => props.onMapping({ ...mapping, [h]: e.target.value === 'custom' ? `custom:${h}` : e.target.value })}>
                      {/* the column's own target is always an option: a select whose value has
                          none shows its first option (Full name) as if it were chosen */}
                      {[...targets.map((f) => f.name), ...(custom || target === 'ignore' || targets.some((f) => f.name === target) ? [] : [target])].map((name) => (
                        <option key={name} value={name}>
                          {t(`fields.${name}`, { defaultValue: name })}
                        </option>
                      ))}
                      <option value="custom">{t('import.customField')}</option>
                      <option value="ignore">{t('import.ignore')}</option>
                    </select>
                  </td>
                  <td className="muted ellipsis">{preview.rows[0]?.values[i] ?? ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="card">
        <h3>{t('import.preview')}</h3>
        <div className="table-wrap">
          <table className="table compact" data-testid="preview-table">
            <thead>
              <tr>
                <th>{t('import.lineHead')}</th>
                {preview.headers.map((h) => (
                  <th key={h}>{h}</th>
                ))}
                <th>{t('import.problems')}</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map((r) => (
                <tr key={r.line} className={r.errors?.length ? 'row-error' : undefined}>
                  <td>{r.line}</td>
                  {preview.headers.map((h, i) => (
                    <td key={h} className="ellipsis">
                      {r.values[i] ?? ''}
                    </td>
                  ))}
                  <td className="field-error">{joinErrors(r.errors?.map((e) => cellErrorText(e, t)) ?? [])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {errorsByLine.size > 0 && (
          <>
            {/* counted as listed: one entry per row, however many problems the row has */}
            <h4>{t('import.rowErrors', { count: errorsByLine.size, formatted: formatNumber(errorsByLine.size, i18n.language) })}</h4>
            <ul className="error-list" data-testid="preview-errors">
              {[...errorsByLine.entries()].slice(0, LISTED_ERROR_ROWS).map(([line, msgs]) => (
                <li key={line}>
                  <strong>{t('import.line', { line })}</strong> {joinErrors(msgs)}
                </li>
              ))}
            </ul>
            {errorsByLine.size > LISTED_ERROR_ROWS && (
              <p className="muted small">{t('import.moreErrorRows', { count: errorsByLine.size - LISTED_ERROR_ROWS, formatted: formatNumber(errorsByLine.size - LISTED_ERROR_ROWS, i18n.language) })}</p>
            )}
          </>
        )}
      </div>
      <div className="card row wrap">
        <label>
          {t('import.mode')}
          <select value={props.mode} onChange={(e) => props.onMode(e.target.value as 'all-or-nothing' | 'skip-invalid')}>
            <option value="skip-invalid">{t('import.skipInvalid')}</option>
            <option value="all-or-nothing">{t('import.allOrNothing')}</option>
          </select>
        </label>
        <label className="checkbox-row">
          <input type="checkbox" checked={props.backfill} onChange={(e) => props.onBackfill(e.target.checked)} /> {t('import.backfill')}
        </label>
        <span className="spacer" />
        <button type="button" className="ghost" onClick={props.onBack}>
          {t('common.back')}
        </button>
        <button type="button" className="primary" disabled={props.busy || !!preview.fatal} onClick={props.onStart}>
          {t('import.start')}
        </button>
      </div>
    </div>
  );
}

function Progress({ job }: { job: ImportJob }) {
  const { t, i18n } = useTranslation();
  const total = job.rowsTotal ?? 0;
  const ratio = total ? Math.min(1, job.rowsProcessed / total) : 0;
  return (
    <div className="card">
      <p>
        {t(`import.phase_${job.phase ?? 'queued'}`, { defaultValue: job.phase ?? '' })} — {formatNumber(job.rowsProcessed, i18n.language)} / {formatNumber(total, i18n.language)}
      </p>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(ratio * 100)}>
        <div className="progress-bar" style={{ width: `${ratio * 100}%` }} />
      </div>
    </div>
  );
}

export function Report({ report }: { report: ImportReport }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const totals = ['rows', 'created', 'updated', 'merged', 'skipped', 'invalid', 'conflicts'];
  return (
    <div className="stack" data-testid="import-report">
      <div className="card">
        <h3>{t('import.report')}</h3>
        <div className="stat-grid">
          {totals.map((k) => (
            <div key={k} className={`stat stat-${k}`}>
              <span className="stat-value">{formatNumber(report.totals[k] ?? 0, lng)}</span>
              <span className="stat-label">{t(`import.total_${k}`)}</span>
            </div>
          ))}
        </div>
      </div>
      {report.merged.length > 0 && (
        <div className="card">
          <h4>{t('import.mergedRows')}</h4>
          <ul>
            {report.merged.map((m, i) => (
              <li key={i}>
                {t('import.mergedLine', { line: m.line, into: (m as { intoLine?: number }).intoLine ?? '—' })}
                {Array.isArray(m.matchedBy) ? ` (${(m.matchedBy as string[]).join(', ')})` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.skipped.length > 0 && (
        <div className="card">
          <h4>{t('import.skippedRows')}</h4>
          <ul className="error-list" data-testid="report-skipped">
            {report.skipped.map((s, i) => (
              <li key={i}>
                <strong>{t('import.line', { line: s.line })}</strong> {t(`import.reason_${s.reason}`, { defaultValue: s.reason })}
                {s.errors?.length ? `: ${joinErrors(s.errors.map((e) => cellErrorText(e, t)))}` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      {report.conflicts.length > 0 && (
        <div className="card">
          <h4>{t('import.conflicts')}</h4>
          <ul>
            {report.conflicts.map((c, i) => (
              <li key={i}>{t('import.conflictLine', { line: c.line, field: c.field, kept: JSON.stringify(c.kept), incoming: JSON.stringify(c.incoming) })}</li>
            ))}
          </ul>
        </div>
      )}
      {report.truncated && <p className="muted small">{t('import.truncated')}</p>}
    </div>
  );
}

/** Several problems of one row in a line: each without its closing full stop, joined by "; ". */
function joinErrors(messages: string[]): string {
  return messages.map((m) => m.replace(/[.。]\s*$/u, '')).join('; ');
}
