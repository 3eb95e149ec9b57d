// Users & roles: list colleagues (invited / active / disabled), invite one by e-mail (a one-time
// link to choose a password) or add one with a first password (changed at first sign-in), resend
// an invitation, change role and team, disable / enable. The server is the judge (admins only).
import { Fragment, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../shell/session';
import { ErrorBanner, Spinner, useLoad } from '../ui/common';
import { AgentDetails, AgentSummary } from './AgentDetails';
import { Field } from './Field';
import { FormActions, TeamOptions } from './parts';
import { fieldErrors, said, say, type Said, generalText, inviteLanguageOf, LANGUAGES, ROLES, settingsApi, type InviteLanguage, type InviteSent, type ManagedUser, type NewUser, type Role, type Team } from './api';
import { formatDate } from '../i18n/format';

export function UsersView() {
  const { t, i18n } = useTranslation();
  const me = useSession((s) => s.user);
  const data = useLoad(async (signal) => {
    const [users, teams] = await Promise.all([settingsApi.users(signal), settingsApi.teams(signal)]);
    return { users, teams };
  }, []);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<Said | null>(null);
  const [rowError, setRowError] = useState<unknown>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);

  if (data.error && !data.data) return <ErrorBanner error={data.error} onRetry={data.reload} />;
  if (!data.data) return <Spinner />;
  const { users, teams } = data.data;
  const teamName = (id: string | null) => teams.find((x) => x.id === id)?.name;

  async function resend(u: ManagedUser) {
    setRowError(null);
    setNotice(null);
    setBusyId(u.id);
    try {
      const r = await settingsApi.resendInvite(u.id);
      setNotice(r.sent ? said('settings.users.inviteResent', { name: u.name, email: u.email }) : said('settings.users.inviteNotSent', { name: u.name, error: r.error ?? '' }));
      data.reload();
    } catch (e) {
      setRowError(e);
    } finally {
      setBusyId(null);
    }
  }

  async function change(u: ManagedUser, patch: Parameters<typeof settingsApi.changeUser>[1], done: Said) {
    setRowError(null);
    setNotice(null);
    setBusyId(u.id);
    try {
      await settingsApi.changeUser(u.id, patch);
      setNotice(done);
      data.reload();
    } catch (e) {
      setRowError(e);
    } finally {
      setBusyId(null);
    }
  }

  return (
    <section className="settings-section" aria-label={t('settings.tabs.users')}>
      <div className="row settings-section-head">
        <p className="muted">{t('settings.users.intro')}</p>
        {!adding && (
          <button type="button" className="primary" onClick={() => { setAdding(true); setNotice(null); }}>
            {t('settings.users.add')}
          </button>
        )}
      </div>
      {adding && (
        <AddUserForm
          teams={teams}
          onCancel={() => setAdding(false)}
          onAdded={(u, invite) => {
            setAdding(false);
            setNotice(
              !invite
                ? said('settings.users.added', { name: u.name, email: u.email })
                : invite.sent
                  ? said('settings.users.invitedNotice', { name: u.name, email: u.email })
                  : said('settings.users.inviteNotSent', { name: u.name, error: invite.error ?? '' }),
            );
            data.reload();
          }}
        />
      )}
      {notice && (
        <div className="notice" role="status">
          {say(t, notice)}
        </div>
      )}
      {rowError ? (
        <div className="error-banner" role="alert">
          {generalText(rowError, t)}
        </div>
      ) : null}
      <div className="table-wrap">
        <table className="table users-table">
          <thead>
            <tr>
              <th>{t('settings.users.name')}</th>
              <th>{t('settings.users.email')}</th>
              <th>{t('settings.users.role')}</th>
              <th>{t('settings.users.team')}</th>
              <th>{t('settings.users.status')}</th>
              <th>{t('settings.users.agentDetails')}</th>
              <th aria-label={t('settings.users.actions')} />
            </tr>
          </thead>
          <tbody>
            {users.map((u) => {
              const self = u.id === me?.id;
              const busy = busyId === u.id;
              const status = u.status ?? (u.active ? 'active' : 'disabled');
              return (
                <Fragment key={u.id}>
                <tr data-testid="user-row" data-email={u.email} className={u.active ? undefined : 'inactive'}>
                  <td>
                    <strong>{u.name}</strong>
                    {self && <span className="muted small"> ({t('settings.users.you')})</span>}
                  </td>
                  <td>{u.email}</td>
                  <td>
                    <select
                      aria-label={t('settings.users.roleOf', { name: u.name })}
                      value={u.role}
                      disabled={self || busy}
                      title={self ? t('settings.errors.selfLockout') : undefined}
                      onChange={(e) => void change(u, { role: e.target.value as Role }, said('settings.users.roleChanged', { name: u.name, role: said(`roles.${e.target.value}`) }))}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t(`roles.${r}`)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label={t('settings.users.teamOf', { name: u.name })}
                      value={u.teamId ?? ''}
                      disabled={busy}
                      onChange={(e) =>
                        void change(u, { teamId: e.target.value || null }, said('settings.users.teamChanged', { name: u.name, team: teamName(e.target.value || null) ?? said('settings.users.noTeam') }))
                      }
                    >
                      <TeamOptions teams={teams} />
                    </select>
                  </td>
                  <td>
                    <span
                      className={`pill status-${status}`}
                      data-status={status}
                      title={status === 'invited' && u.inviteExpiresAt ? t('settings.users.invitedHint', { date: formatDate(u.inviteExpiresAt, i18n.language) }) : undefined}
                    >
                      {t(`settings.users.${status}`)}
                    </span>
                    {status === 'active' && u.mustChangePassword && <span className="pill status-pending" title={t('settings.users.pendingHint')}>{t('settings.users.pending')}</span>}
                  </td>
                  <td>
                    {u.agent || u.role === 'agent' || u.role === 'manager' ? (
                      <span className="row agent-cell">
                        <AgentSummary user={u} />
                        <button type="button" className="link small" aria-expanded={openId === u.id} onClick={() => setOpenId(openId === u.id ? null : u.id)}>
                          {t('settings.users.editDetails', { name: u.name })}
                        </button>
                      </span>
                    ) : (
                      <span className="muted small">—</span>
                    )}
                  </td>
                  <td className="actions">
                    {status === 'invited' && (
                      <button type="button" className="small" disabled={busy} onClick={() => void resend(u)}>
                        {t('settings.users.resendInvite')}
                      </button>
                    )}
                    {!self && (
                      <button
                        type="button"
                        className={u.active ? 'danger small' : 'small'}
                        disabled={busy}
                        onClick={() =>
                          void change(u, { active: !u.active }, u.active ? said('settings.users.disabledNotice', { name: u.name }) : said('settings.users.enabledNotice', { name: u.name }))
                        }
                      >
                        {u.active ? t('settings.users.disable') : t('settings.users.enable')}
                      </button>
                    )}
                  </td>
                </tr>
                {openId === u.id && (
                  <tr className="details-row">
                    <td colSpan={7}>
                      <AgentDetails
                        user={u}
                        onClose={() => setOpenId(null)}
                        onSaved={(name) => {
                          setOpenId(null);
                          setNotice(said('settings.agent.saved', { name }));
                          data.reload();
                        }}
                      />
                    </td>
                  </tr>
                )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A first password that satisfies the server's rule, for the admin to pass on. */
function suggestPassword(): string {
  const words = 'amber,cedar,delta,ember,fjord,grove,harbor,island,jade,kite,lotus,maple,nova,orbit,pearl,quartz,river,sage,tide,willow'.split(',');
  const r = new Uint32Array(3);
  crypto.getRandomValues(r);
  return `${words[r[0]! % words.length]}-${words[r[1]! % words.length]}-${100 + (r[2]! % 900)}`;
}

type AddForm = NewUser & { mode: 'invite' | 'password'; language: InviteLanguage };

function AddUserForm({ teams, onAdded, onCancel }: { teams: Team[]; onAdded: (u: NewUser, invite: InviteSent | null) => void; onCancel: () => void }) {
  const { t, i18n } = useTranslation();
  // an invitation by default, in the inviter's language unless they pick the colleague's
  const [form, setForm] = useState<AddForm>({ name: '', email: '', role: 'agent', teamId: null, password: '', mode: 'invite', language: inviteLanguageOf(i18n.language) });
  // the server's error and local i18n keys, said at render so a language switch re-says them
  const [serverError, setServerError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [edited, setEdited] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof AddForm>(k: K, v: AddForm[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    setEdited((e) => new Set(e).add(k));
  };
  const server = fieldErrors(serverError, t);
  const errors: Record<string, string> = {};
  for (const [k, v] of Object.entries(server.fields)) if (!edited.has(k)) errors[k] = v;
  for (const [k, key] of Object.entries(local)) if (!edited.has(k)) errors[k] = t(key, { min: 8 });
  const general = server.general;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!form.name.trim()) missing.name = 'settings.errors.nameRequired';
    if (!form.email.trim()) missing.email = 'settings.errors.invalidEmail';
    if (form.mode === 'password' && !form.password) missing.password = 'settings.errors.password.too_short';
    setLocal(missing);
    setEdited(new Set());
    setServerError(null);
    if (Object.keys(missing).length) return;
    setBusy(true);
    try {
      const { mode, language, password, ...who } = form;
      const person = { ...who, name: form.name.trim(), email: form.email.trim() };
      if (mode === 'invite') {
        const r = await settingsApi.inviteUser({ ...person, language });
        onAdded({ ...person, password: '' }, r.invite);
      } else {
        await settingsApi.addUser({ ...person, password });
        onAdded({ ...person, password }, null);
      }
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card add-user" onSubmit={submit} noValidate aria-label={t('settings.users.addTitle')}>
      <h2>{t('settings.users.addTitle')}</h2>
      <div className="form-grid">
        <Field label={t('settings.users.name')} error={errors.name}>
          <input name="name" value={form.name} onChange={(e) => set('name', e.target.value)} autoComplete="off" />
        </Field>
        <Field label={t('settings.users.email')} error={errors.email}>
          <input name="email" type="email" value={form.email} onChange={(e) => set('email', e.target.value)} autoComplete="off" />
        </Field>
        <Field label={t('settings.users.role')} hint={t(`settings.roleHints.${form.role}`)}>
          <select name="role" value={form.role} onChange={(e) => set('role', e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('settings.users.team')} error={errors.teamId}>
          <select name="teamId" value={form.teamId ?? ''} onChange={(e) => set('teamId', e.target.value || null)}>
            <TeamOptions teams={teams} />
          </select>
        </Field>
        <fieldset className="add-user-mode">
          <legend>{t('settings.users.howToJoin')}</legend>
          <label className="check">
            <input type="radio" name="mode" value="invite" checked={form.mode === 'invite'} onChange={() => set('mode', 'invite')} />
            {t('settings.users.modeInvite')}
          </label>
          <label className="check">
            <input type="radio" name="mode" value="password" checked={form.mode === 'password'} onChange={() => set('mode', 'password')} />
            {t('settings.users.modePassword')}
          </label>
        </fieldset>
        {form.mode === 'invite' ? (
          <Field label={t('settings.users.inviteLanguage')} hint={t('settings.users.inviteLanguageHint')} error={errors.language}>
            <select name="language" value={form.language} onChange={(e) => set('language', e.target.value as InviteLanguage)}>
              {LANGUAGES.map((l) => (
                <option key={l} value={l}>
                  {t(`settings.languages.${l}`)}
                </option>
              ))}
            </select>
          </Field>
        ) : (
        <Field
          label={t('settings.users.firstPassword')}
          error={errors.password}
          hint={t('settings.users.firstPasswordHint', { min: 8 })}
          after={
            <button type="button" className="small" onClick={() => set('password', suggestPassword())}>
              {t('settings.users.suggest')}
            </button>
          }
        >
          <input name="password" type="text" value={form.password} onChange={(e) => set('password', e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        )}
      </div>
      <FormActions general={general} busy={busy} submitLabel={form.mode === 'invite' ? t('settings.users.inviteSubmit') : t('settings.users.addSubmit')} closeLabel={t('common.cancel')} onClose={onCancel} />
    </form>
  );
}
