import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher, Spinner } from '../ui/common';
import { AcceptInviteScreen } from './AcceptInviteScreen';
import { ChangePasswordScreen } from './ChangePasswordScreen';
import { LoginScreen } from './LoginScreen';
import { Notifications } from './Notifications';
import { matchRoute, useRoutePath } from './router';
import { settingsTabsFor } from '../settings/tabs';
import { useCan, useSession } from './session';

const FlowList = lazy(() => import('../flows/FlowList').then((m) => ({ default: m.FlowList })));
const FlowEditor = lazy(() => import('../flows/FlowEditor').then((m) => ({ default: m.FlowEditor })));
const RunsView = lazy(() => import('../runs/RunsView').then((m) => ({ default: m.RunsView })));
const RunDetailView = lazy(() => import('../runs/RunDetailView').then((m) => ({ default: m.RunDetailView })));
const CustomerList = lazy(() => import('../customers/CustomerList').then((m) => ({ default: m.CustomerList })));
const CustomerPage = lazy(() => import('../customers/CustomerPage').then((m) => ({ default: m.CustomerPage })));
const ImportWizard = lazy(() => import('../customers/ImportWizard').then((m) => ({ default: m.ImportWizard })));
const TagsView = lazy(() => import('../customers/TagsView').then((m) => ({ default: m.TagsView })));
const InboxScreen = lazy(() => import('../inbox/InboxView').then((m) => ({ default: m.InboxScreen })));
const TasksView = lazy(() => import('../inbox/TasksView').then((m) => ({ default: m.TasksView })));
const MetricsView = lazy(() => import('../inbox/MetricsView').then((m) => ({ default: m.MetricsView })));
const SettingsScreen = lazy(() => import('../settings/SettingsScreen').then((m) => ({ default: m.SettingsScreen })));
const QualityView = lazy(() => import('../customers/QualityView').then((m) => ({ default: m.QualityView })));

const nav = [
  { path: '/inbox', key: 'nav.inbox' },
  { path: '/tasks', key: 'nav.tasks' },
  { path: '/metrics', key: 'nav.metrics', action: 'inbox.metrics' },
  { path: '/flows', key: 'nav.flows' },
  { path: '/customers', key: 'nav.customers' },
  { path: '/import', key: 'nav.import', action: 'import.run' },
  { path: '/tags', key: 'nav.tags', action: 'tag.health' },
  { path: '/quality', key: 'nav.quality' },
  { path: '/settings', key: 'nav.settings' },
] as const;

function route(path: string): ReactNode {
  let m: Record<string, string> | null;
  if ((m = matchRoute('/flows/:id/runs', path))) return <RunsView flowId={m.id!} />;
  if ((m = matchRoute('/flows/:id', path))) return <FlowEditor key={m.id} flowId={m.id!} />;
  if ((m = matchRoute('/runs/:id', path))) return <RunDetailView key={m.id} runId={m.id!} />;
  if ((m = matchRoute('/customers/:id', path))) return <CustomerPage key={m.id} customerId={m.id!} />;
  if (matchRoute('/customers', path)) return <CustomerList />;
  if (matchRoute('/import', path)) return <ImportWizard />;
  if (matchRoute('/tags', path)) return <TagsView />;
  if (matchRoute('/quality', path)) return <QualityView />;
  if (matchRoute('/inbox', path)) return <InboxScreen />;
  if (matchRoute('/tasks', path)) return <TasksView />;
  if (matchRoute('/metrics', path)) return <MetricsView />;
  if ((m = matchRoute('/settings/:tab', path))) return <SettingsScreen tab={m.tab!} />;
  if (matchRoute('/settings', path)) return <SettingsScreen tab="" />;
  return <FlowList />;
}

export function App() {
  const { t } = useTranslation();
  const user = useSession((s) => s.user);
  const logout = useSession((s) => s.logout);
  const path = useRoutePath();
  const allowed = useCan();
  // the link of an invitation e-mail: choosing the password signs in as the invited user
  const invite = matchRoute('/invite/:token', path);
  if (invite) return <AcceptInviteScreen key={invite.token} token={invite.token!} />;
  if (!user) return <LoginScreen />;
  if (user.mustChangePassword) return <ChangePasswordScreen />;
  const section = '/' + (path.split('/')[1] ?? 'flows').split('?')[0];
  const active = section === '/runs' ? '/flows' : section;
  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/flows">
          <span className="logo">◆</span> Nudge
        </a>
        <nav aria-label={t('shell.navigation')}>
          {/* a section the role cannot use is not offered (the shared permission map); Settings opens its first tab the role may use */}
          {nav.filter((item) => ('action' in item ? allowed(item.action) : item.path !== '/settings' || settingsTabsFor(allowed).length > 0)).map((item) => (
            <a key={item.path} href={`#${item.path === '/settings' ? `/settings/${settingsTabsFor(allowed)[0]}` : item.path}`} className={active === item.path ? 'active' : undefined} aria-current={active === item.path ? 'page' : undefined}>
              {t(item.key)}
            </a>
          ))}
        </nav>
        <div className="topbar-right">
          <Notifications />
          <LanguageSwitcher />
          <span className="user" title={user.email}>
            {user.name} · {t(`roles.${user.role}`, { defaultValue: user.role })}
          </span>
          <button type="button" className="ghost" onClick={logout}>
            {t('shell.logout')}
          </button>
        </div>
      </header>
      <main className="content">
        <Suspense fallback={<Spinner />}>{route(path)}</Suspense>
      </main>
    </div>
  );
}
