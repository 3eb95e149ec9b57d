// Inbox metrics (GET /api/inbox/metrics), typed by the server's own schema, and how the screen
// formats durations.
import { InboxMetrics, type InboxMetricsAnswer } from '@nudge/contracts';
import { api } from '../api/client';
import { formatNumber } from '../i18n/format';

export type Metrics = InboxMetricsAnswer;
export const PERIODS = [7, 30, 90] as const;
export type PeriodDays = (typeof PERIODS)[number];

export const metricsApi = {
  get: (days: PeriodDays, teamId: string | undefined, signal?: AbortSignal) => {
    const to = new Date();
    const from = new Date(to.getTime() - days * 86_400_000);
    return api.get('/inbox/metrics', InboxMetrics, { from: from.toISOString(), to: to.toISOString(), teamId }, signal);
  },
};

/** 45 s, 12 min, 2.5 h, 3.2 days — in the UI language (Intl unit formatting). */
export function formatDuration(seconds: number | null | undefined, lng: string): string {
  if (seconds === null || seconds === undefined) return '—';
  const unit = (value: number, u: 'second' | 'minute' | 'hour' | 'day') => formatNumber(value, lng, { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 1 });
  if (seconds < 60) return unit(Math.round(seconds), 'second');
  if (seconds < 3600) return unit(Math.round(seconds / 60), 'minute');
  if (seconds < 86_400) return unit(seconds / 3600, 'hour');
  return unit(seconds / 86_400, 'day');
}
