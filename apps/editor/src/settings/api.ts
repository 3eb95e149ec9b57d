// The settings API (users, teams, password change), typed: every response parsed by zod.
// Kept out of api/schemas.ts on purpose (that file is moving to a shared package).
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { api, ApiError } from '../api/client';
import { user as baseUser } from '../api/schemas';

export const ROLES = ['admin', 'manager', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** The signed-in user as /auth/login and /auth/me answer, with the first-password flag. */
export const sessionUser = baseUser.extend({
  teamId: z.string().nullish(),
  mustChangePassword: z.boolean().optional().default(false),
});
export type SessionUser = Omit<z.infer<typeof sessionUser>, 'mustChangePassword'> & { mustChangePassword?: boolean };
export const loginAnswer = z.object({ token: z.string(), user: sessionUser, passwordChangeRequired: z.boolean().optional().default(false) });

export const LANGUAGES = ['en', 'zh-Hant', 'zh-Hans', 'es'] as const;
export const period = z.object({ weekday: z.number(), start: z.string(), end: z.string() });
export type Period = z.infer<typeof period>;
export const agentProfile = z.object({
  skills: z.array(z.string()).default([]),
  languages: z.array(z.string()).default([]),
  workingHours: z.array(period).default([]),
  timezone: z.string().default('UTC'),
  maxOpen: z.number().default(6),
  supervisor: z.boolean().default(false),
  available: z.boolean().default(true),
});
export type AgentProfile = z.infer<typeof agentProfile>;
export type AgentProfileInput = Omit<AgentProfile, 'available'>;

export const managedUser = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  teamId: z.string().nullable().default(null),
  active: z.boolean(),
  mustChangePassword: z.boolean().default(false),
  /** invited: has not chosen a password from the invitation e-mail yet */
  status: z.enum(['invited', 'active', 'disabled']).optional(),
  inviteExpiresAt: z.string().nullable().default(null),
  createdAt: z.string().optional(),
  agent: agentProfile.nullable().default(null),
});
export type ManagedUser = z.infer<typeof managedUser>;

export const team = z.object({ id: z.string(), name: z.string(), timezone: z.string().nullable().default(null) });
export type Team = z.infer<typeof team>;

export const RULE_KINDS = ['keyword', 'welcome', 'away', 'handoff', 'high_value'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const REPLY_LANGS = ['en', 'zh-Hant', 'zh-Hans', 'es', 'default'] as const;
export const rule = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(RULE_KINDS),
  position: z.number().default(0),
  match: z.enum(['contains', 'exact', 'regex']).default('contains'),
  patterns: z.array(z.string()).default([]),
  replies: z.record(z.string(), z.string()).default({}),
  template: z.object({ name: z.string(), language: z.string(), parameters: z.array(z.string()).default([]) }).nullable().default(null),
  /** a saved message template answers instead of the texts (they stay as the fallback) */
  templateId: z.string().nullable().default(null),
  hours: z.enum(['in_hours', 'out_of_hours', 'always']).default('always'),
  teamId: z.string().nullable().default(null),
  active: z.boolean().default(true),
});
export type Rule = z.infer<typeof rule>;
export type RuleInput = Omit<Rule, 'id' | 'template'>;
const testHit = z.object({ ruleId: z.string(), name: z.string(), pattern: z.string().nullable(), reply: z.string().nullable().optional() }).nullable();
export const ruleTest = z.object({
  language: z.string(),
  inHours: z.boolean(),
  welcome: testHit,
  handoff: testHit,
  highValue: testHit,
  keyword: testHit,
  away: testHit,
  goesToPerson: z.boolean(),
});
export type RuleTest = z.infer<typeof ruleTest>;

export const teamHours = z.object({
  teamId: z.string(),
  configured: z.boolean(),
  timezone: z.string(),
  periods: z.array(period),
  holidays: z.array(z.string()),
  routingKeywords: z.array(z.string()).default([]),
  skill: z.string().nullable().default(null),
  isDefault: z.boolean().default(false),
});
export type TeamHours = z.infer<typeof teamHours>;

export const inboxPolicy = z.object({
  sla: z.object({ P1: z.number(), P2: z.number(), P3: z.number() }),
  budget: z.object({ p1Above: z.number(), p2From: z.number() }),
  strategy: z.enum(['round_robin', 'load']),
  escalateAfterMinutes: z.number().default(15),
});
export type InboxPolicy = z.infer<typeof inboxPolicy>;

/** The invitation e-mail's answer: sent, or why not (the channel's code); the link's expiry. */
export const inviteSent = z.object({ expiresAt: z.string(), sent: z.boolean(), error: z.string().nullable().default(null) });
export type InviteSent = z.infer<typeof inviteSent>;
export type InviteLanguage = (typeof LANGUAGES)[number];
/** The editor's UI language as the server's language code (zh-TW → zh-Hant, zh-CN → zh-Hans). */
export const inviteLanguageOf = (uiLanguage: string): InviteLanguage =>
  uiLanguage === 'zh-TW' ? 'zh-Hant' : uiLanguage === 'zh-CN' ? 'zh-Hans' : uiLanguage === 'es' ? 'es' : 'en';
/** The server's language code as the editor's UI language. */
export const uiLanguageOf = (language: string): string => (language === 'zh-Hant' ? 'zh-TW' : language === 'zh-Hans' ? 'zh-CN' : language);
export const inviteCheck = z.object({ name: z.string(), email: z.string(), language: z.enum(LANGUAGES), expiresAt: z.string() });
export type InviteCheck = z.infer<typeof inviteCheck>;

export interface NewUser {
  name: string;
  email: string;
  role: Role;
  teamId: string | null;
  password: string;
}

export const settingsApi = {
  users: (signal?: AbortSignal) => api.get('/users', z.object({ items: z.array(managedUser) }), undefined, signal).then((r) => r.items),
  addUser: (body: NewUser) => api.post('/users', managedUser.partial({ active: true }).loose(), body),
  inviteUser: (body: Omit<NewUser, 'password'> & { language: InviteLanguage }) =>
    api.post('/users/invite', managedUser.partial({ active: true }).extend({ invite: inviteSent }).loose(), body),
  resendInvite: (id: string) => api.post(`/users/${id}/invite`, inviteSent, {}),
  checkInvite: (token: string) => api.post('/auth/invite/check', inviteCheck, { token }),
  changeUser: (id: string, body: Partial<Pick<ManagedUser, 'role' | 'teamId' | 'active' | 'name' | 'email'>> & { password?: string }) =>
    api.patch(`/users/${id}`, z.unknown(), body),
  teams: (signal?: AbortSignal) => api.get('/teams', z.object({ items: z.array(team) }), undefined, signal).then((r) => r.items),
  saveAgentProfile: (userId: string, body: AgentProfileInput) => api.put(`/users/${userId}/agent-profile`, agentProfile, body),
  addTeam: (name: string) => api.post('/teams', team, { name }),
  renameTeam: (id: string, name: string) => api.patch(`/teams/${id}`, team, { name }),
  teamHours: (teamId: string, signal?: AbortSignal) => api.get(`/teams/${teamId}/inbox-settings`, teamHours, undefined, signal),
  saveTeamHours: (teamId: string, body: Omit<TeamHours, 'teamId' | 'configured'>) => api.put(`/teams/${teamId}/inbox-settings`, teamHours, body),
  policy: (signal?: AbortSignal) => api.get('/inbox/policy', inboxPolicy, undefined, signal),
  savePolicy: (body: InboxPolicy) => api.put('/inbox/policy', inboxPolicy, body),
  rules: (signal?: AbortSignal) => api.get('/auto-replies', z.array(rule), undefined, signal),
  addRule: (body: RuleInput) => api.post('/auto-replies', rule, body),
  saveRule: (id: string, body: RuleInput) => api.put(`/auto-replies/${id}`, rule, body),
  deleteRule: (id: string) => api.del(`/auto-replies/${id}`, z.unknown()),
  testRules: (body: { text: string; firstContact?: boolean; at?: string }) => api.post('/auto-replies/test', ruleTest, body),
  changePassword: (currentPassword: string, newPassword: string) =>
    api.post('/auth/password', sessionUser, { currentPassword, newPassword }),
};

/** A field-level error from the server's details (`body.email` → `email`). */
export interface FieldError {
  field: string;
  text: string;
}

/**
 * The server's codes, said in the user's language and placed at their field. Falls back to the
 * server's (English) message for codes this screen doesn't know.
 */
export function fieldErrors(error: unknown, t: TFunction): { fields: Record<string, string>; general: string | null } {
  const fields: Record<string, string> = {};
  if (!(error instanceof ApiError)) return { fields, general: error ? String((error as Error).message ?? error) : null };
  const details = Array.isArray(error.details) ? (error.details as IssueDetail[]) : [];
  for (const d of details) {
    const field = String(d.path ?? '').replace(/^body\./, '');
    if (!field || field === 'body') continue;
    const text = issueText(error.code, d, t);
    if (text && !fields[field]) fields[field] = text;
  }
  if (Object.keys(fields).length) return { fields, general: null };
  return { fields, general: generalText(error, t) };
}

type IssueDetail = { path?: string; code?: string; reason?: string; message?: string; params?: Record<string, unknown> };

function issueText(code: string, d: IssueDetail, t: TFunction): string {
  const c = d.code ?? code;
  if (c === 'unknown_template') return t('settings.errors.unknownTemplate');
  if (c === 'template_wrong_channel') return t('settings.errors.templateWrongChannel', { channel: t(`inbox.channelName.${String(d.params?.channel ?? '')}`, { defaultValue: String(d.params?.channel ?? '') }) });
  if (c === 'email_taken') return t('settings.errors.emailTaken');
  if (c === 'weak_password') return t(`settings.errors.password.${d.reason ?? 'too_short'}`, { min: 8 });
  if (c === 'wrong_password') return t('settings.errors.wrongPassword');
  if (c === 'unknown_team') return t('settings.errors.unknownTeam');
  if (c === 'team_name_taken') return t('settings.errors.teamNameTaken');
  if (d.path === 'body.timezone') return t('settings.errors.timezone');
  if (d.path?.startsWith('body.holidays')) return t('settings.errors.holiday');
  if (d.path?.startsWith('body.workingHours') || d.path?.startsWith('body.periods')) return d.message?.startsWith('overlaps') ? t('settings.errors.overlap') : t('settings.errors.period');
  if (d.path === 'body.maxOpen') return t('settings.errors.maxOpen');
  if (d.path === 'body.defaultRegion') return t('settings.errors.country');
  if (d.path?.startsWith('body.sla.')) return d.message?.startsWith('P1 must') ? t('settings.errors.slaOrder') : t('settings.errors.slaHours');
  if (d.path === 'body.escalateAfterMinutes') return t('settings.errors.escalateMinutes');
  if (d.path?.startsWith('body.budget.')) return d.message?.startsWith('the P2') ? t('settings.errors.budgetOrder') : t('settings.errors.budget');
  if (d.path?.startsWith('body.patterns.')) return t('settings.errors.pattern', { problem: d.message ?? '' });
  if (d.path === 'body.email') return t('settings.errors.invalidEmail');
  if (d.path === 'body.name' && (c === 'too_small' || c === 'invalid_type')) return t('settings.errors.nameRequired');
  return d.message ?? code;
}

export function generalText(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  switch (error.code) {
    case 'network':
      return t('errors.network');
    case 'self_lockout':
      return t('settings.errors.selfLockout');
    case 'forbidden':
      return t('settings.errors.adminsOnly');
    case 'password_change_required':
      return t('settings.errors.passwordChangeRequired');
    case 'account_disabled':
      return t('login.disabled');
    case 'not_found':
      return t('settings.errors.notFound');
    case 'invite_expired':
    case 'invite_used':
    case 'invite_replaced':
    case 'invite_unknown':
      return t(`invite.errors.${error.code}`);
    case 'not_invited':
      return t('settings.errors.notInvited');
    case 'user_disabled':
      return t('settings.errors.inviteDisabled');
    default:
      return error.message;
  }
}

/** A message kept as its i18n key (and options, which may be messages too), said at render. */
export interface Said {
  key: string;
  opts?: Record<string, unknown>;
}
export const said = (key: string, opts?: Record<string, unknown>): Said => ({ key, opts });
const isSaid = (v: unknown): v is Said => !!v && typeof v === 'object' && typeof (v as Said).key === 'string' && !(v instanceof Error);
export function say(t: TFunction, s: Said): string {
  const opts = Object.fromEntries(Object.entries(s.opts ?? {}).map(([k, v]) => [k, isSaid(v) ? say(t, v) : v]));
  return t(s.key, opts) as string;
}
/** An error (from the API) or a local message, in the current language. */
export function sayError(t: TFunction, e: unknown, field?: string): string | null {
  if (!e) return null;
  if (isSaid(e)) return say(t, e);
  const f = fieldErrors(e, t);
  return (field ? f.fields[field] : undefined) ?? f.general ?? Object.values(f.fields)[0] ?? null;
}
