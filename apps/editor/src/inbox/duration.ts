// A countdown's parts ([unit, count]…) worded in the user's language ("1 h 20 min", "1 小時 20 分鐘").
import { useTranslation } from 'react-i18next';
import type { DurationUnit } from './logic';

export function useDuration(): (parts: [DurationUnit, number][]) => string {
  const { t } = useTranslation();
  return (parts) => parts.map(([unit, count]) => t(`inbox.dur.${unit}`, { count })).join(' ');
}
