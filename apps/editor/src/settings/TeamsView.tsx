// Teams: create and rename a team, see and change its members (a user's team is on the user).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState, ErrorBanner, Spinner, useLoad } from '../ui/common';
import { BusinessHours } from './BusinessHours';
import { Field } from './Field';
import { said, say, sayError, type Said, generalText, settingsApi, type ManagedUser, type Team } from './api';

export function TeamsView() {
  const { t } = useTranslation();
  const data = useLoad(async (signal) => {
    const [users, teams] = await Promise.all([settingsApi.users(signal), settingsApi.teams(signal)]);
    return { users, teams };
  }, []);
  const [name, setName] = useState('');
  const [nameError, setNameError] = useState<unknown>(null);
  const [notice, setNotice] = useState<Said | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [hoursFor, setHoursFor] = useState<string | null>(null);
  if (data.error && !data.data) return <ErrorBanner error={data.error} onRetry={data.reload} />;
  if (!data.data) return <Spinner />;
  const { users, teams } = data.data;

  async function create(e: FormEvent) {
    e.preventDefault();
    setNameError(null);
    if (!name.trim()) return setNameError(said('settings.errors.teamNameRequired'));
    try {
      await settingsApi.addTeam(name.trim());
      setNotice(said('settings.teams.created', { name: name.trim() }));
      setName('');
      data.reload();
    } catch (err) {
      setNameError(err);
    }
  }

  async function setTeam(u: ManagedUser, teamId: string | null, done: Said) {
    setError(null);
    try {
      await settingsApi.changeUser(u.id, { teamId });
      setNotice(done);
      data.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section className="settings-section" aria-label={t('settings.tabs.teams')}>
      <p className="muted">{t('settings.teams.intro')}</p>
      <form className="inline-form" onSubmit={create} aria-label={t('settings.teams.add')} noValidate>
        <Field label={t('settings.teams.newName')} error={sayError(t, nameError, 'name') ?? undefined}>
          <input name="teamName" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <button type="submit" className="primary">
          {t('settings.teams.add')}
        </button>
      </form>
      {notice && <div className="notice" role="status">{say(t, notice)}</div>}
      {error ? <div className="error-banner" role="alert">{generalText(error, t)}</div> : null}
      {teams.length === 0 && <EmptyState title={t('settings.teams.empty')} />}
      <div className="team-cards">
        {teams.map((team) => (
          <TeamCard key={team.id} team={team} users={users} onChanged={(msg) => { setNotice(msg); data.reload(); }} onSetTeam={setTeam} onHours={() => { setHoursFor(team.id); setNotice(null); }} />
        ))}
      </div>
      {hoursFor && teams.some((x) => x.id === hoursFor) && (
        <BusinessHours
          team={teams.find((x) => x.id === hoursFor)!}
          onClose={() => setHoursFor(null)}
          onSaved={() => {
            const team = teams.find((x) => x.id === hoursFor)!;
            setHoursFor(null);
            setNotice(said('settings.hours.saved', { name: team.name }));
          }}
        />
      )}
    </section>
  );
}

function TeamCard({ team, users, onChanged, onSetTeam, onHours }: { team: Team; users: ManagedUser[]; onHours: () => void; onChanged: (msg: Said) => void; onSetTeam: (u: ManagedUser, teamId: string | null, done: Said) => Promise<void> }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(team.name);
  const [nameError, setNameError] = useState<unknown>(null);
  const members = users.filter((u) => u.teamId === team.id);
  const others = users.filter((u) => u.teamId !== team.id && u.active);

  async function rename(e: FormEvent) {
    e.preventDefault();
    setNameError(null);
    if (!name.trim()) return setNameError(said('settings.errors.teamNameRequired'));
    try {
      await settingsApi.renameTeam(team.id, name.trim());
      setEditing(false);
      onChanged(said('settings.teams.renamed', { name: name.trim() }));
    } catch (err) {
      setNameError(err);
    }
  }

  return (
    <article className="card team-card" data-testid="team" aria-label={team.name}>
      {editing ? (
        <form onSubmit={rename} className="field" noValidate>
          <label className="row">
            <span className="sr-only">{t('settings.teams.nameOf', { name: team.name })}</span>
            <input value={name} onChange={(e) => setName(e.target.value)} aria-label={t('settings.teams.nameOf', { name: team.name })} aria-invalid={!!nameError} autoFocus />
            <button type="submit" className="primary small">{t('settings.teams.save')}</button>
            <button type="button" className="small" onClick={() => { setEditing(false); setName(team.name); setNameError(null); }}>{t('common.cancel')}</button>
          </label>
          {nameError ? <span className="field-error" role="alert">{sayError(t, nameError, 'name')}</span> : null}
        </form>
      ) : (
        <div className="row team-head">
          <h2>{team.name}</h2>
          <span className="row">
            <button type="button" className="link small" onClick={onHours}>{t('settings.hours.open')}</button>
            <button type="button" className="link small" onClick={() => setEditing(true)}>{t('settings.teams.rename')}</button>
          </span>
        </div>
      )}
      <p className="small muted">{t('settings.teams.members', { count: members.length })}</p>
      <ul className="member-list">
        {members.map((u) => (
          <li key={u.id} className="row">
            <span>{u.name}</span>
            <span className="pill">{t(`roles.${u.role}`)}</span>
            <button type="button" className="link small danger" onClick={() => void onSetTeam(u, null, said('settings.teams.removed', { name: u.name, team: team.name }))}>
              {t('settings.teams.remove')}
            </button>
          </li>
        ))}
      </ul>
      {others.length > 0 && (
        <label className="row small">
          <span>{t('settings.teams.addMember')}</span>
          <select
            aria-label={t('settings.teams.addMemberTo', { name: team.name })}
            value=""
            onChange={(e) => {
              const u = others.find((x) => x.id === e.target.value);
              if (u) void onSetTeam(u, team.id, said('settings.teams.added', { name: u.name, team: team.name }));
            }}
          >
            <option value="">{t('settings.teams.pick')}</option>
            {others.map((u) => (
              <option key={u.id} value={u.id}>{u.name}</option>
            ))}
          </select>
        </label>
      )}
    </article>
  );
}
