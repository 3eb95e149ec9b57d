// Pieces the sign-in screens share: the card's head (logo and language) and the new-password pair
// with its rule or its error (login, first password, invitation).
import { useTranslation } from 'react-i18next';
import { LanguageSwitcher } from '../ui/common';

export function LoginHead() {
  return (
    <div className="login-head">
      <h1>
        <span className="logo">◆</span> Nudge
      </h1>
      <LanguageSwitcher />
    </div>
  );
}

export function NewPasswordFields(props: {
  next: string;
  repeat: string;
  onNext: (value: string) => void;
  onRepeat: (value: string) => void;
  errors: { next?: string; repeat?: string };
  /** id of the rule / error line the new-password input is described by */
  ruleId: string;
}) {
  const { t } = useTranslation();
  const { errors, ruleId } = props;
  return (
    <>
      <div className="field">
        <label>
          {t('password.new')}
          <input name="newPassword" type="password" autoComplete="new-password" required value={props.next} onChange={(e) => props.onNext(e.target.value)} aria-invalid={!!errors.next} aria-describedby={ruleId} />
        </label>
        {errors.next ? (
          <span className="field-error" role="alert" id={ruleId}>
            {errors.next}
          </span>
        ) : (
          <span id={ruleId} className="small muted">
            {t('password.rule', { min: 8 })}
          </span>
        )}
      </div>
      <div className="field">
        <label>
          {t('password.repeat')}
          <input name="repeatPassword" type="password" autoComplete="new-password" required value={props.repeat} onChange={(e) => props.onRepeat(e.target.value)} aria-invalid={!!errors.repeat} />
        </label>
        {errors.repeat && (
          <span className="field-error" role="alert">
            {errors.repeat}
          </span>
        )}
      </div>
    </>
  );
}
