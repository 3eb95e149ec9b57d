// First sign-in of a user an admin added (or whose password an admin reset): choose a new
// password before anything else. The server refuses every other request until then.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { fieldErrors, settingsApi } from '../settings/api';
import { LoginHead, NewPasswordFields } from './LoginParts';
import { useSession } from './session';

export function ChangePasswordScreen() {
  const { t } = useTranslation();
  const user = useSession((s) => s.user)!;
  const firstPassword = useSession((s) => s.firstPassword);
  const passwordChanged = useSession((s) => s.passwordChanged);
  const logout = useSession((s) => s.logout);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  // kept as the error itself / i18n keys, so a language switch re-says them
  const [serverError, setServerError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setServerError(null);
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    setBusy(true);
    try {
      const u = await settingsApi.changePassword(firstPassword ?? current, next);
      passwordChanged({ ...user, ...u });
    } catch (err) {
      setServerError(err);
    } finally {
      setBusy(false);
    }
  }

  const f = fieldErrors(serverError, t);
  const errors = { current: f.fields.currentPassword, next: f.fields.newPassword, repeat: mismatch ? t('password.mismatch') : undefined };
  const general = f.general;

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit} aria-label={t('password.title')} noValidate>
        <LoginHead />
        <h2 className="password-title">{t('password.title')}</h2>
        <p className="muted">{t('password.intro', { name: user.name })}</p>
        {!firstPassword && (
          <div className="field">
            <label>
              {t('password.current')}
              <input name="currentPassword" type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} aria-invalid={!!errors.current} />
            </label>
            {errors.current && <span className="field-error" role="alert">{errors.current}</span>}
          </div>
        )}
        <NewPasswordFields next={next} repeat={repeat} onNext={setNext} onRepeat={setRepeat} errors={errors} ruleId="password-rule" />
        {(general || (errors.current && firstPassword)) && (
          <div className="error-banner" role="alert">
            {general ?? errors.current}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !next}>
          {busy ? t('password.saving') : t('password.submit')}
        </button>
        <button type="button" className="link" onClick={logout}>
          {t('shell.logout')}
        </button>
      </form>
    </div>
  );
}
