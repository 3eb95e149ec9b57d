// Locale-aware formatting through Intl, so dates and numbers follow the UI language.
export function formatDateTime(value: string | number | Date | null | undefined, lng: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}
export function formatDate(value: string | number | Date | null | undefined, lng: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(lng, { dateStyle: 'medium' }).format(d);
}
export function formatNumber(value: number | null | undefined, lng: string, options?: Intl.NumberFormatOptions): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(lng, options).format(value);
}
export function formatPercent(ratio: number | null | undefined, lng: string): string {
  return formatNumber(ratio, lng, { style: 'percent', maximumFractionDigits: 1 });
}
