/**
 * What a password must be (NIST SP 800-63B style: length and a block-list rather than
 * composition rules): at least 8 characters, not a well-known password, not the person's
 * e-mail or name, not one character repeated. Returns why it is refused, or null.
 */
export const MIN_PASSWORD_LENGTH = 8;

export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'personal' | 'same_as_current';

export const PASSWORD_RULE = `at least ${MIN_PASSWORD_LENGTH} characters, not a common password, not your e-mail or name`;

const COMMON = new Set(
  [
    'password', 'password1', 'password12', 'password123', 'passw0rd', 'p@ssw0rd', 'p@ssword', '12345678', '123456789',
    '1234567890', '11111111', '00000000', '87654321', 'qwertyui', 'qwerty123', 'qwertyuiop', 'asdfghjk', 'asdfghjkl',
    'iloveyou', 'sunshine', 'princess', 'football', 'baseball', 'welcome1', 'welcome123', 'admin123', 'administrator',
    'letmein1', 'abc12345', 'abcd1234', '1q2w3e4r', '1qaz2wsx', 'zaq12wsx', 'changeme', 'trustno1', 'superman',
    'nudge123', 'nudge-admin', 'password!', 'aa123456', 'a1234567', '88888888', '66666666', '12341234',
  ],
);

const chars = (s: string) => [...s.normalize('NFKC')];

export function passwordProblem(password: string, who: { email?: string; name?: string } = {}): PasswordProblem | null {
  const cs = chars(password);
  if (cs.length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (cs.length > 200) return 'too_long';
  const lower = password.normalize('NFKC').toLowerCase();
  if (COMMON.has(lower) || new Set(cs).size <= 2) return 'common';
  const email = who.email?.trim().toLowerCase() ?? '';
  const local = email.split('@')[0] ?? '';
  const name = who.name?.trim().toLowerCase().replace(/\s+/g, '') ?? '';
  const bare = lower.replace(/\s+/g, '');
  if ((email && bare === email) || (local.length >= 4 && bare.includes(local)) || (name.length >= 4 && bare.includes(name))) return 'personal';
  return null;
}

export const PASSWORD_PROBLEM_TEXT: Record<PasswordProblem, string> = {
  too_short: `is too short — a password needs ${PASSWORD_RULE}`,
  too_long: 'is too long — at most 200 characters',
  common: `is a well-known password that is easy to guess — choose one with ${PASSWORD_RULE}`,
  personal: `contains your e-mail or name — choose one with ${PASSWORD_RULE}`,
  same_as_current: 'is the same as the current password — choose a new one',
};
