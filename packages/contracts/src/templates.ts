/** Request and answer shapes of saved message templates and quick replies (Settings → Templates & quick replies). */
import { z } from 'zod';
import { TEMPLATE_CATEGORIES, TEMPLATE_STATUSES } from '@nudge/db/schema';

export { TEMPLATE_CATEGORIES, TEMPLATE_STATUSES };
export const TEMPLATE_CHANNELS = ['whatsapp', 'sms', 'email'] as const;
export const TEMPLATE_LANGUAGES = ['en', 'zh-Hant', 'zh-Hans', 'es'] as const;

export const TemplateIdParams = z.object({ id: z.uuid() });

export const MessageTemplateBody = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(512)
      .describe('WhatsApp: the name registered with Meta, lowercase letters, digits and underscores (order_update)'),
    channel: z.enum(TEMPLATE_CHANNELS),
    language: z.enum(TEMPLATE_LANGUAGES),
    subject: z.string().trim().max(300).nullable().optional().describe('e-mail only'),
    body: z.string().trim().min(1).max(4096).describe('text with variables: {name}, {owner}, {custom.x}; WhatsApp parameters {{1}}, {{2}}'),
    category: z.enum(TEMPLATE_CATEGORIES).nullable().optional().describe('WhatsApp only, required there'),
  })
  .superRefine((v, ctx) => {
    if (v.channel === 'whatsapp') {
      if (!v.category) ctx.addIssue({ code: 'custom', path: ['category'], message: 'a WhatsApp template needs a category: marketing, utility or authentication' });
      if (!/^[a-z0-9_]+$/.test(v.name)) ctx.addIssue({ code: 'custom', path: ['name'], message: 'a WhatsApp template name has only lowercase letters, digits and underscores' });
    } else if (v.category) {
      ctx.addIssue({ code: 'custom', path: ['category'], message: 'only WhatsApp templates have a category' });
    }
  });
export type MessageTemplateBody = z.infer<typeof MessageTemplateBody>;

export const MessageTemplateOut = z
  .object({
    id: z.string(),
    name: z.string(),
    channel: z.string(),
    language: z.string(),
    subject: z.string().nullable(),
    body: z.string(),
    category: z.enum(TEMPLATE_CATEGORIES).nullable(),
    status: z.enum(TEMPLATE_STATUSES).describe('WhatsApp: Meta\'s review (the local stand-in approves at once); other channels: approved'),
    rejectedReason: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'MessageTemplate' });
export type MessageTemplateOut = z.infer<typeof MessageTemplateOut>;

export const MessageTemplateListQuery = z.object({
  channel: z.enum(TEMPLATE_CHANNELS).optional(),
  language: z.enum(TEMPLATE_LANGUAGES).optional(),
  status: z.enum(TEMPLATE_STATUSES).optional(),
});

export const QuickReplyBody = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(40)
    .regex(/^[\p{L}\p{N}_-]+$/u, 'a code is one word: letters, digits, - or _ (what the agent types after /)'),
  text: z.string().trim().min(1).max(4096).describe('with variables {name}, {owner}, {agent}'),
  language: z.enum(TEMPLATE_LANGUAGES),
  teamId: z.uuid().nullable().optional().describe("only this team's agents see it"),
});
export type QuickReplyBody = z.infer<typeof QuickReplyBody>;

export const QuickReplyOut = z
  .object({
    id: z.string(),
    code: z.string(),
    text: z.string(),
    language: z.string(),
    teamId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'QuickReply' });
export type QuickReplyOut = z.infer<typeof QuickReplyOut>;
