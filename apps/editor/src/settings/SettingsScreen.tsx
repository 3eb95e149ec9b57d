// Settings: users & roles, teams, auto-replies, inbox policy, import. Tabs are hash routes
// (#/settings/users, …); each is offered only to the roles the shared permission map allows.
import { useTranslation } from 'react-i18next';
import { useCan } from '../shell/session';
import { EmptyState } from '../ui/common';
import { AutoRepliesView } from './AutoRepliesView';
import { ImportSettingsView } from './ImportSettingsView';
import { PolicyView } from './PolicyView';
import { TeamsView } from './TeamsView';
import { TemplatesView } from './TemplatesView';
import { UsersView } from './UsersView';
import { settingsTabsFor } from './tabs';

export { SETTINGS_TABS } from './tabs';
const TAB_KEY: Record<string, string> = { users: 'users', teams: 'teams', 'auto-replies': 'autoReplies', templates: 'templates', 'inbox-policy': 'policy', import: 'import' };

export function SettingsScreen({ tab }: { tab: string }) {
  const { t } = useTranslation();
  const tabs = settingsTabsFor(useCan());
  if (tabs.length === 0) {
    return (
      <div className="page">
        <EmptyState title={t('settings.adminsOnlyTitle')} hint={t('settings.errors.adminsOnly')} />
      </div>
    );
  }
  const current = (tabs as readonly string[]).includes(tab) ? tab : tabs[0]!;
  return (
    <div className="page settings-page">
      <div className="page-head">
        <h1>{t('settings.title')}</h1>
      </div>
      <nav className="settings-tabs" aria-label={t('settings.title')}>
        {tabs.map((x) => (
          <a key={x} href={`#/settings/${x}`} className={x === current ? 'active' : undefined} aria-current={x === current ? 'page' : undefined}>
            {t(`settings.tabs.${TAB_KEY[x]}`)}
          </a>
        ))}
      </nav>
      {current === 'users' && <UsersView />}
      {current === 'teams' && <TeamsView />}
      {current === 'auto-replies' && <AutoRepliesView />}
      {current === 'templates' && <TemplatesView />}
      {current === 'inbox-policy' && <PolicyView />}
      {current === 'import' && <ImportSettingsView />}
    </div>
  );
}
