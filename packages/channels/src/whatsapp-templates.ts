/**
 * WhatsApp message templates on the Cloud API: submitting one for Meta's review
 * (`POST /{version}/{WABA id}/message_templates`), editing it (`POST /{version}/{template id}`),
 * reading its status (`GET /{version}/{template id}?fields=status`), deleting it
 * (`DELETE /{version}/{WABA id}/message_templates?name=…&hsm_id=…`), and the review's webhook
 * (`field: "message_template_status_update"`). The same schemas drive the local stand-in.
 */
import { z } from 'zod';

export const whatsappTemplateComponentSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('BODY'),
    text: z.string().min(1).max(1024),
    /** one example value per {{n}}, required by Meta when the body has parameters */
    example: z.object({ body_text: z.array(z.array(z.string().min(1))).length(1) }).optional(),
  }),
]);

export const whatsappTemplateCreateSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name has only lowercase letters, digits and underscores'),
    /** Meta's language and locale code: en, es, zh_CN, zh_TW */
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'language must be a Meta locale code such as en, es, zh_CN'),
    category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
    components: z.array(whatsappTemplateComponentSchema).min(1),
  })
  .superRefine((t, ctx) => {
    t.components.forEach((c, i) => {
      const count = new Set([...c.text.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1])).size;
      if (count && c.example?.body_text[0]?.length !== count) {
        ctx.addIssue({ code: 'custom', path: ['components', i, 'example'], message: `the body has ${count} parameter(s): give one example value each` });
      }
    });
  });
export type WhatsAppTemplateCreate = z.infer<typeof whatsappTemplateCreateSchema>;
export const whatsappTemplateEditSchema = z.object({ category: whatsappTemplateCreateSchema.shape.category.optional(), components: z.array(whatsappTemplateComponentSchema).min(1) });

export const META_TEMPLATE_STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'PENDING_DELETION', 'DELETED', 'ARCHIVED', 'LIMIT_EXCEEDED'] as const;
export const whatsappTemplateCreateResponseSchema = z.looseObject({ id: z.string(), status: z.string(), category: z.string().optional() });

/** Our language codes → Meta's template locales. */
export const metaTemplateLanguage = (language: string) =>
  ({ 'zh-Hans': 'zh_CN', 'zh-Hant': 'zh_TW', en: 'en', es: 'es' })[language] ?? language.replace('-', '_');

const EXAMPLES: Record<string, string> = { name: 'Ana', owner: 'Ben', agent: 'Carla' };

/**
 * Our body with named variables ("Hi {name}, {owner} will call") as Meta's numbered parameters
 * ("Hi {{1}}, {{2}} will call") with an example value each. Every variable — named, or already
 * written as {{n}} — is numbered by where it stands, the order `whatsAppParameters` (apps/server)
 * fills them in when the template is sent.
 */
export function whatsAppTemplateBody(body: string): { text: string; examples: string[] } {
  const examples: string[] = [];
  const text = body.replace(/\{\{\s*(\d+)\s*\}\}|\{(\w+)\}/g, (_whole, numbered: string | undefined, named: string | undefined) => {
    examples.push(named ? EXAMPLES[named] ?? named : `example ${numbered}`);
    return `{{${examples.length}}}`;
  });
  return { text, examples };
}

export function whatsAppTemplateRequest(t: { name: string; language: string; category: string; body: string }): WhatsAppTemplateCreate {
  const { text, examples } = whatsAppTemplateBody(t.body);
  return {
    name: t.name,
    language: metaTemplateLanguage(t.language),
    category: t.category.toUpperCase() as WhatsAppTemplateCreate['category'],
    components: [{ type: 'BODY', text, ...(examples.length ? { example: { body_text: [examples] } } : {}) }],
  };
}

export interface WhatsAppTemplateApiConfig {
  baseUrl: string;
  apiVersion: string;
  businessAccountId: string;
  accessToken: string;
  timeoutMs?: number;
}

/** Meta answered with an error (`status` is its HTTP status; 0 when unreachable). */
export class WhatsAppTemplateError extends Error {
  constructor(message: string, readonly status: number, readonly code: number | null, readonly userMessage: string | null, readonly subcode: number | null = null) {
    super(message);
    this.name = 'WhatsAppTemplateError';
  }
}

/** Graph API's error body (as in whatsapp.ts, with the texts meant for the user) */
const graphErrorSchema = z.object({
  error: z.looseObject({ message: z.string(), code: z.number(), error_subcode: z.number().optional(), error_user_title: z.string().optional(), error_user_msg: z.string().optional() }),
});

async function graph(config: WhatsAppTemplateApiConfig, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const url = `${config.baseUrl.replace(/\/$/, '')}/${config.apiVersion}/${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${config.accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(config.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new WhatsAppTemplateError(`WhatsApp API unreachable: ${(error as Error).message}`, 0, null, null);
  }
  const json: unknown = await response.json().catch(() => null);
  if (response.ok) return json;
  const error = graphErrorSchema.safeParse(json);
  const e = error.success ? error.data.error : null;
  throw new WhatsAppTemplateError(
    `WhatsApp API refused the template (${response.status}${e ? `, code ${e.code}` : ''}): ${e ? e.error_user_msg ?? e.message : 'no details'}`,
    response.status,
    e?.code ?? null,
    e ? [e.error_user_title, e.error_user_msg ?? e.message].filter(Boolean).join(': ') : null,
    e?.error_subcode ?? null,
  );
}

/** Submits a new template for review; Meta answers its id and status (PENDING, or APPROVED at once for some). */
export async function createWhatsAppTemplate(config: WhatsAppTemplateApiConfig, request: WhatsAppTemplateCreate) {
  const body = whatsappTemplateCreateSchema.parse(request);
  const res = whatsappTemplateCreateResponseSchema.safeParse(await graph(config, 'POST', `${config.businessAccountId}/message_templates`, body));
  if (!res.success) throw new WhatsAppTemplateError('WhatsApp API answered the template with an unexpected body', 502, null, null);
  return res.data;
}

/** Edits a submitted template (it goes back to review) and reads the status it has now. */
export async function editWhatsAppTemplate(config: WhatsAppTemplateApiConfig, templateId: string, request: WhatsAppTemplateCreate) {
  await graph(config, 'POST', encodeURIComponent(templateId), whatsappTemplateEditSchema.parse({ category: request.category, components: request.components }));
  const res = z.looseObject({ status: z.string(), rejected_reason: z.string().optional() }).safeParse(await graph(config, 'GET', `${encodeURIComponent(templateId)}?fields=status,rejected_reason`));
  return { id: templateId, status: res.success ? res.data.status : 'PENDING', rejectedReason: res.success ? res.data.rejected_reason ?? null : null };
}

/** Graph API's subcode for "Message template not found" (already deleted at Meta, or never there). */
export const META_TEMPLATE_NOT_FOUND = 2593002;

/**
 * Deletes a template at Meta. With its id (`hsm_id`) only that language's template goes; by name
 * alone Meta deletes every language of the name. A template Meta no longer has answers `false`
 * (gone already); Meta's other refusals throw a WhatsAppTemplateError.
 */
export async function deleteWhatsAppTemplate(config: WhatsAppTemplateApiConfig, t: { name: string; templateId?: string | null }): Promise<boolean> {
  const query = new URLSearchParams({ name: t.name, ...(t.templateId ? { hsm_id: t.templateId } : {}) });
  try {
    await graph(config, 'DELETE', `${encodeURIComponent(config.businessAccountId)}/message_templates?${query}`);
    return true;
  } catch (e) {
    if (e instanceof WhatsAppTemplateError && e.subcode === META_TEMPLATE_NOT_FOUND) return false;
    throw e;
  }
}

// ---- the review's webhook

export const whatsappTemplateStatusValueSchema = z.looseObject({
  event: z.string().min(1),
  message_template_id: z.union([z.number(), z.string()]).transform(String),
  message_template_name: z.string().min(1),
  message_template_language: z.string().min(1),
  reason: z.string().nullable().optional(),
  other_info: z.looseObject({ title: z.string().optional(), description: z.string().optional() }).optional(),
});

export interface WhatsAppTemplateStatusUpdate {
  businessAccountId: string;
  templateId: string;
  name: string;
  /** Meta's locale (zh_TW) */
  language: string;
  event: string;
  /** why (REJECTED: Meta's reason; NONE dropped), with other_info's description when given */
  reason: string | null;
}

export const templateStatusFromWebhook = (entryId: string, v: z.infer<typeof whatsappTemplateStatusValueSchema>): WhatsAppTemplateStatusUpdate => ({
  businessAccountId: entryId,
  templateId: v.message_template_id,
  name: v.message_template_name,
  language: v.message_template_language,
  event: v.event,
  reason: [v.reason && v.reason !== 'NONE' ? v.reason : null, v.other_info?.description ?? null].filter(Boolean).join(': ') || null,
});

/** Meta's review webhook as Meta posts it (tests and the stand-in play Meta with it). */
export function whatsAppTemplateStatusWebhook(u: { businessAccountId?: string; templateId: string; name: string; language: string; event: string; reason?: string; category?: string }) {
  return {
    object: 'whatsapp_business_account' as const,
    entry: [
      {
        id: u.businessAccountId ?? '200000000000001',
        time: Math.floor(Date.now() / 1000),
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event: u.event,
              message_template_id: Number.isNaN(Number(u.templateId)) ? u.templateId : Number(u.templateId),
              message_template_name: u.name,
              message_template_language: u.language,
              reason: u.reason ?? 'NONE',
              ...(u.category ? { message_template_category: u.category } : {}),
            },
          },
        ],
      },
    ],
  };
}
