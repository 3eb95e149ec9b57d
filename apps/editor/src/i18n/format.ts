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
/** "3 days", "3 天", "3 días": an amount of a time unit in the UI language (Intl unit formatting). */
export function formatDuration(amount: number, unit: string, lng: string): string {
  const single = unit.replace(/s$/, '');
  try {
    return new Intl.NumberFormat(lng, { style: 'unit', unit: single, unitDisplay: 'long' }).format(amount);
  } catch {
    return `${formatNumber(amount, lng)} ${unit}`;
  }
}
