import { Hourglass } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format';

export function TagChip({ tag }: { tag: { name: string; color?: string | null; expiresAt?: string | null } }) {
  const { t, i18n } = useTranslation();
  const title = tag.expiresAt ? t('tags.expiresAt', { date: formatDateTime(tag.expiresAt, i18n.language) }) : undefined;
  return (
    <span className={`chip${tag.expiresAt ? ' expiring' : ''}`} style={tag.color ? { borderColor: tag.color, background: `${tag.color}22` } : undefined} title={title}>
      {tag.name}
      {tag.expiresAt ? <Hourglass size={11} aria-hidden /> : null}
    </span>
  );
}
