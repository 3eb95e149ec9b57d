// Weekly periods editor: several periods per weekday (lunch breaks, split shifts), as the
// server's WeeklyPeriods ({ weekday 1 = Monday … 7, start, end "HH:MM" }). Used for agents' working
// hours and teams' business hours.
import { useTranslation } from 'react-i18next';
import type { Period } from './api';

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export function WeeklyHours({ periods, onChange, errorOf }: { periods: Period[]; onChange: (next: Period[]) => void; errorOf: (i: number) => string | undefined }) {
  const { t } = useTranslation();
  const setPeriods = onChange;
  const periodError = errorOf;
  const weekdayName = (d: number) => t(`settings.weekdays.${d}`);
  return (
    <>
        <table className="hours-table">
          <tbody>
            {WEEKDAYS.map((d) => {
              const mine = periods.map((p, i) => ({ p, i })).filter((x) => x.p.weekday === d);
              return (
                <tr key={d}>
                  <th scope="row">{weekdayName(d)}</th>
                  <td>
                    {mine.length === 0 && <span className="muted small">{t('settings.agent.off')}</span>}
                    {mine.map(({ p, i }) => (
                      <span key={i} className="period">
                        <input type="time" aria-label={t('settings.agent.from', { day: weekdayName(d) })} value={p.start} onChange={(e) => setPeriods(periods.map((x, j) => (j === i ? { ...x, start: e.target.value } : x)))} aria-invalid={!!periodError(i)} />
                        –
                        <input type="time" aria-label={t('settings.agent.to', { day: weekdayName(d) })} value={p.end} onChange={(e) => setPeriods(periods.map((x, j) => (j === i ? { ...x, end: e.target.value } : x)))} aria-invalid={!!periodError(i)} />
                        <button type="button" className="icon-btn" aria-label={t('settings.agent.removePeriod', { day: weekdayName(d) })} title={t('settings.agent.removePeriod', { day: weekdayName(d) })} onClick={() => setPeriods(periods.filter((_, j) => j !== i))}>
                          ×
                        </button>
                        {periodError(i) && <span className="field-error" role="alert">{periodError(i)}</span>}
                      </span>
                    ))}
                    <button type="button" className="link small" onClick={() => setPeriods([...periods, { weekday: d, start: mine.length ? '13:30' : '09:00', end: mine.length ? '18:00' : '12:00' }])}>
                      {t('settings.agent.addPeriod')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {periods.some((p) => p.weekday === 1) && (
          <button
            type="button"
            className="small"
            onClick={() => {
              const monday = periods.filter((p) => p.weekday === 1);
              setPeriods([...periods.filter((p) => p.weekday > 5), ...[1, 2, 3, 4, 5].flatMap((d) => monday.map((p) => ({ ...p, weekday: d })))].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start)));
            }}
          >
            {t('settings.agent.copyMonday')}
          </button>
        )}
    </>
  );
}
