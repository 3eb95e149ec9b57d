// A page the signed-in role may not use, opened by its address: said plainly instead of a refusal from the server.
import { useTranslation } from 'react-i18next';
import { EmptyState } from './common';

export function NotForRole() {
  const { t } = useTranslation();
  return (
    <div className="page">
      <EmptyState title={t('roles.notForRoleTitle')} hint={t('roles.notForRoleHint')} />
    </div>
  );
}
