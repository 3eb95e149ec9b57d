import { t } from '../../i18n.js';

export const controlNextPort = { id: 'next', label: t('Then', '然後', '然后', 'Después'), optional: true } as const;
