/**
 * Invitations by e-mail: an admin invites a colleague, who gets a one-time link to choose a
 * password and is then signed in.
 *
 * - The link carries 256 random bits (base64url) in the editor's URL fragment (`#/invite/<token>`),
 *   so it reaches neither the server's access log nor a Referer; only its SHA-256 is stored.
 * - A link works once, for 7 days, and not after a newer one was sent ("Resend invite" revokes
 *   every unused link of the user in the same transaction that makes the new one).
 * - The mail goes through the one send ledger of @nudge/channels (the SMTP stand-in in
 *   development, SMTP_* in production) under the key `user-invite:<invite id>`: one mail per link,
 *   also when a send is retried.
 * - The mail is written in the invite's language: the one chosen for the invitee, else the
 *   inviter's (the editor sends its current language), else English.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { channelsConfigFromEnv, createChannels, SqlIdempotencyStore, type Channels } from '@nudge/channels';
import { schema } from '@nudge/db';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import { hashToken } from '../http/auth.js';
import { channelSettings, setting } from '../config.js';

export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
export const INVITE_LANGUAGES = ['en', 'zh-Hans', 'zh-Hant', 'es'] as const;
export type InviteLanguage = (typeof INVITE_LANGUAGES)[number];
export const InviteLanguageSchema = z.enum(INVITE_LANGUAGES);

type Tx = Parameters<Parameters<AppContext['db']['db']['transaction']>[0]>[0];
type Db = AppContext['db']['db'] | Tx;

/** A new link for the user (any older unused link of theirs stops working). Run inside the caller's transaction. */
export async function issueInvite(db: Db, input: { userId: string; language: InviteLanguage; invitedBy: string | null; now: Date }) {
  await db
    .update(schema.userInvites)
    .set({ revokedAt: input.now })
    .where(and(eq(schema.userInvites.userId, input.userId), isNull(schema.userInvites.usedAt), isNull(schema.userInvites.revokedAt)));
  const token = randomBytes(32).toString('base64url');
  const [row] = await db
    .insert(schema.userInvites)
    .values({
      userId: input.userId,
      tokenHash: hashToken(token),
      language: input.language,
      invitedBy: input.invitedBy,
      createdAt: input.now,
      expiresAt: new Date(input.now.getTime() + INVITE_TTL_MS),
    })
    .returning();
  return { token, invite: row! };
}

/** The editor's link for a token: NUDGE_PUBLIC_URL, else the address the admin's request came to. */
export function inviteLink(base: string, token: string): string {
  return `${base.replace(/\/+$/, '')}/#/invite/${token}`;
}

export function publicBaseUrl(req: { protocol: string; get(name: string): string | undefined }): string {
  return setting('NUDGE_PUBLIC_URL') ?? `${req.protocol}://${req.get('host') ?? `127.0.0.1:${setting('PORT') ?? 3000}`}`;
}

interface MailText {
  subject: (p: { inviter: string }) => string;
  body: (p: { name: string; inviter: string; role: string; link: string; days: number }) => string;
  roles: Record<string, string>;
}

export const INVITE_MAIL: Record<InviteLanguage, MailText> = {
  en: {
    subject: ({ inviter }) => `${inviter} invited you to Nudge`,
    body: ({ name, inviter, role, link, days }) =>
      `Hello ${name},\n\n${inviter} invited you to Nudge as ${role}.\n\nChoose your password here to sign in:\n${link}\n\nThe link works once and for ${days} days. If you did not expect this invitation, ignore this e-mail.\n`,
    roles: { admin: 'an administrator', manager: 'a manager', agent: 'an agent', viewer: 'a viewer' },
  },
  'zh-Hans': {
    subject: ({ inviter }) => `${inviter} 邀请您加入 Nudge`,
    body: ({ name, inviter, role, link, days }) =>
      `${name}，您好：\n\n${inviter} 邀请您以${role}身份加入 Nudge。\n\n请点击以下链接设置密码并登录：\n${link}\n\n此链接只能使用一次，${days} 天内有效。如果您没有预期收到此邀请，请忽略这封邮件。\n`,
    roles: { admin: '管理员', manager: '经理', agent: '客服', viewer: '只读用户' },
  },
  'zh-Hant': {
    subject: ({ inviter }) => `${inviter} 邀請您加入 Nudge`,
    body: ({ name, inviter, role, link, days }) =>
      `${name}，您好：\n\n${inviter} 邀請您以${role}身分加入 Nudge。\n\n請點選以下連結設定密碼並登入：\n${link}\n\n此連結只能使用一次，${days} 天內有效。如果您沒有預期收到此邀請，請忽略這封郵件。\n`,
    roles: { admin: '管理員', manager: '經理', agent: '客服', viewer: '唯讀使用者' },
  },
  es: {
    subject: ({ inviter }) => `${inviter} te ha invitado a Nudge`,
    body: ({ name, inviter, role, link, days }) =>
      `Hola, ${name}:\n\n${inviter} te ha invitado a Nudge como ${role}.\n\nElige tu contraseña aquí para iniciar sesión:\n${link}\n\nEl enlace funciona una sola vez y durante ${days} días. Si no esperabas esta invitación, ignora este correo.\n`,
    roles: { admin: 'administrador', manager: 'gerente', agent: 'agente', viewer: 'lector' },
  },
};

export function inviteMail(language: InviteLanguage, p: { name: string; inviter: string; role: string; link: string }) {
  const m = INVITE_MAIL[language] ?? INVITE_MAIL.en;
  return { subject: m.subject(p), text: m.body({ ...p, role: m.roles[p.role] ?? p.role, days: INVITE_TTL_MS / 86_400_000 }) };
}

const ownChannels = new WeakMap<object, Channels>();

/** The server's channels (main.ts gives the flow runtime's); else, from the environment over the shared ledger. */
function channelsOf(ctx: AppContext): Channels {
  if (ctx.channels) return ctx.channels;
  let c = ownChannels.get(ctx.db);
  if (!c) {
    c = createChannels(channelsConfigFromEnv(channelSettings()), { store: new SqlIdempotencyStore(ctx.db.sql) });
    ownChannels.set(ctx.db, c);
  }
  return c;
}

export interface InviteSent {
  expiresAt: string;
  sent: boolean;
  /** why the mail did not go out (the channel's code, e.g. `channel_not_configured`, `rejected`) */
  error: string | null;
}

/** Sends the link; never throws (the user exists either way; "Resend invite" tries again). */
export async function sendInviteMail(
  ctx: AppContext,
  input: { inviteId: string; token: string; expiresAt: Date; language: InviteLanguage; to: string; name: string; role: string; inviter: string; baseUrl: string },
): Promise<InviteSent> {
  const { subject, text } = inviteMail(input.language, { name: input.name, inviter: input.inviter, role: input.role, link: inviteLink(input.baseUrl, input.token) });
  try {
    await channelsOf(ctx).send('email', { to: input.to, subject, text, idempotencyKey: `user-invite:${input.inviteId}` });
    return { expiresAt: input.expiresAt.toISOString(), sent: true, error: null };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    console.error(`[users] invite e-mail not sent: ${(err as Error).message}`);
    return { expiresAt: input.expiresAt.toISOString(), sent: false, error: typeof code === 'string' ? code : 'send_failed' };
  }
}

export type InviteState = 'valid' | 'expired' | 'used' | 'revoked' | 'disabled' | 'unknown';

/** What a token is worth now (without using it). */
export async function inviteByToken(ctx: AppContext, token: string) {
  const [row] = await ctx.db.db
    .select({ invite: schema.userInvites, user: schema.users })
    .from(schema.userInvites)
    .innerJoin(schema.users, eq(schema.users.id, schema.userInvites.userId))
    .where(eq(schema.userInvites.tokenHash, hashToken(token)))
    .limit(1);
  const now = nowOf(ctx);
  const state: InviteState = !row
    ? 'unknown'
    : row.invite.usedAt
      ? 'used'
      : row.invite.revokedAt
        ? 'revoked'
        : !row.user.active
          ? 'disabled'
          : row.invite.expiresAt <= now
            ? 'expired'
            : 'valid';
  return { state, row };
}
