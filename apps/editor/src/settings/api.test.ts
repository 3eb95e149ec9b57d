import { describe, expect, it } from 'vitest';
import i18n from '../i18n';
import { ApiError } from '../api/client';
import { fieldErrors, said, say, sayError } from './api';

const tIn = (lng: string) => i18n.getFixedT(lng);

describe('settings errors said in the user language at their field', () => {
  it('email_taken and weak_password land on their fields, in each language', () => {
    const dup = new ApiError(409, 'email_taken', 'body.email: a user with this e-mail already exists.', [{ path: 'body.email', code: 'email_taken' }]);
    expect(fieldErrors(dup, tIn('en'))).toEqual({ fields: { email: 'A colleague with this e-mail already exists.' }, general: null });
    expect(fieldErrors(dup, tIn('zh-TW')).fields.email).toBe('已有同事使用這個電子郵件。');
    const weak = new ApiError(400, 'weak_password', 'x', [{ path: 'body.newPassword', code: 'weak_password', reason: 'common' }]);
    expect(fieldErrors(weak, tIn('es')).fields.newPassword).toMatch(/demasiado común/);
    expect(fieldErrors(weak, tIn('en')).fields.newPassword).toMatch(/at least 8 characters/);
  });

  it('codes without a field become one general text; unknown codes keep the server message', () => {
    expect(fieldErrors(new ApiError(400, 'self_lockout', 'x'), tIn('en')).general).toBe('You cannot remove your own admin role or disable yourself.');
    expect(fieldErrors(new ApiError(400, 'odd', 'The server says so.'), tIn('en')).general).toBe('The server says so.');
    expect(fieldErrors(null, tIn('en'))).toEqual({ fields: {}, general: null });
  });

  it('a kept message is said again in the language of the moment, nested ones too', () => {
    const m = said('settings.users.roleChanged', { name: 'Ana', role: said('roles.viewer') });
    expect(say(tIn('en'), m)).toBe('Ana is now Viewer.');
    expect(say(tIn('zh-TW'), m)).toBe('Ana 現在是檢視者。');
    expect(sayError(tIn('en'), said('settings.errors.teamNameRequired'))).toBe('Enter a name for the team.');
  });
});
