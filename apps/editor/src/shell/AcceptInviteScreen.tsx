// The invitation link (#/invite/<token>, from the e-mail): choose a password, then signed in.
// A link that no longer works (expired, used, replaced by a newer one) says so in the reader's
// language and what to do instead.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { fieldErrors, settingsApi, uiLanguageOf, type InviteCheck } from '../settings/api';
import { Spinner } from '../ui/common';
import { LoginHead, NewPasswordFields } from './LoginParts';
import { navigate } from './router';
import { useSession } from './session';

const LINK_CODES = ['invite_expired', 'invite_used', 'invite_replaced', 'invite_unknown'];

export function AcceptInviteScreen({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const acceptInvite = useSession((s) => s.acceptInvite);
  const [invite, setInvite] = useState<InviteCheck | null>(null);
  // kept as the error itself, so a language switch re-says it
  const [linkError, setLinkError] = useState<unknown>(null);
  const [serverError, setServerError] = useState<unknown>(null);
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let gone = false;
    settingsApi.checkInvite(token).then(
      (x) => {
        if (gone) return;
        setInvite(x);
        // the screen speaks the language the invitation was written in (the switcher is beside it)
        if (i18n.language !== uiLanguageOf(x.language)) void i18n.changeLanguage(uiLanguageOf(x.language));
      },
      (e: unknown) => !gone && setLinkError(e),
    );
    return () => {
      gone = true;
    };
  }, [token, i18n]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setServerError(null);
    setMismatch(next !== repeat);
    if (next !== repeat) return;
    setBusy(true);
    try {
      await acceptInvite(token, next);
      navigate('/inbox');
    } catch (err) {
      if (err instanceof ApiError && (LINK_CODES.includes(err.code) || err.code === 'account_disabled')) setLinkError(err);
      else setServerError(err);
    } finally {
      setBusy(false);
    }
  }


  if (linkError) {
    const code = linkError instanceof ApiError ? linkError.code : '';
    const text = LINK_CODES.includes(code)
      ? t(`invite.errors.${code}`)
      : code === 'account_disabled'
        ? t('login.disabled')
        : fieldErrors(linkError, t).general;
    return (
      <div className="login-page">
        <div className="login-card" role="region" aria-label={t('invite.title')}>
          <LoginHead />
          <h2 className="password-title">{t('invite.title')}</h2>
          <div className="error-banner" role="alert">
            {text}
          </div>
          <a className="link" href="#/">
            {t('invite.toLogin')}
          </a>
        </div>
      </div>
    );
  }
  if (!invite) return <Spinner />;

  const f = fieldErrors(serverError, t);
  const errors = { next: f.fields.password, repeat: mismatch ? t('password.mismatch') : undefined };
  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit} aria-label={t('invite.title')} noValidate>
        <LoginHead />
        <h2 className="password-title">{t('invite.title')}</h2>
        <p className="muted">{t('invite.intro', { name: invite.name, email: invite.email })}</p>
        <NewPasswordFields next={next} repeat={repeat} onNext={setNext} onRepeat={setRepeat} errors={errors} ruleId="invite-password-rule" />
        {f.general && (
          <div className="error-banner" role="alert">
            {f.general}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !next}>
          {busy ? t('password.saving') : t('invite.submit')}
        </button>
      </form>
    </div>
  );
}
