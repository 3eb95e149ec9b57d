/** The customer record at the API boundary: input (create / patch), output and list query. */
import { z } from 'zod';
import { schema } from '@nudge/db';

export const TIERS = schema.customerTier.enumValues;
export const MEMBERSHIP_TIERS = schema.membershipTier.enumValues;
export const PRIORITIES = schema.customerPriority.enumValues;
export const DAY_PARTS = ['morning', 'afternoon', 'evening'] as const;

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const text = (max = 200) => z.string().trim().min(1).max(max);
const instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

export const ContactSlot = z.object({
  weekday: z.number().int().min(0).max(6).describe('0 = Sunday … 6 = Saturday'),
  part: z.enum(DAY_PARTS),
});

/** Fields a client may set. Phone is given as typed (any format) and stored as E.164 + raw. */
const fields = {
  fullName: text(),
  company: text(),
  industry: text(100),
  productsOfInterest: z.array(text(100)).max(2, 'at most 2 products of interest'),
  phone: z.string().trim().min(3).max(40),
  phoneRegion: z
    .string()
    .regex(/^[A-Z]{2}$/, 'a two-letter country code such as US')
    .describe('Country of a phone given without +country code (default: NUDGE_DEFAULT_REGION, TW); not stored'),
  email: z.string().trim().toLowerCase().pipe(z.email()),
  whatsappId: text(64),
  budgetMin: z.number().nonnegative(),
  budgetMax: z.number().nonnegative(),
  budgetCurrency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as TWD, EUR, USD'),
  preferredContactSlots: z.array(ContactSlot).max(21),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Taipei'),
  birthday: z.iso.date(),
  tier: z.enum(TIERS),
  ownerId: z.uuid(),
  teamId: z.uuid(),
  optOutEmail: z.boolean(),
  optOutWhatsapp: z.boolean(),
  optOutSms: z.boolean(),
  optOutPhone: z.boolean(),
  points: z.number().int(),
  membershipTier: z.enum(MEMBERSHIP_TIERS),
  firstContactAt: instant,
  lastFollowUpAt: instant,
  lastInteractionAt: instant,
  priority: z.enum(PRIORITIES),
  winProbability: z.number().int().min(0).max(100),
  source: text(64),
  customFields: z.record(z.string(), z.unknown()),
};

type Fields = typeof fields;
type Nullable<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.ZodOptional<z.ZodNullable<T[K]>> };
const nullableOptional = <T extends Record<string, z.ZodType>>(f: T): Nullable<T> =>
  Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.nullable().optional()])) as Nullable<T>;

const budgetOrder = (v: { budgetMin?: number | null; budgetMax?: number | null }, ctx: z.RefinementCtx) => {
  if (v.budgetMin != null && v.budgetMax != null && v.budgetMin > v.budgetMax) {
    ctx.addIssue({ code: 'custom', path: ['budgetMax'], message: 'budgetMax must be ≥ budgetMin' });
  }
};

const { fullName, ...optionalFields } = fields;
export const CustomerCreate = z
  .object({ fullName, ...nullableOptional(optionalFields) })
  .strict()
  .superRefine(budgetOrder)
  .meta({ id: 'CustomerCreate' });
export type CustomerCreate = z.infer<typeof CustomerCreate>;

export const CustomerPatch = z
  .object({ fullName: fullName.optional(), ...nullableOptional(optionalFields) })
  .strict()
  .superRefine(budgetOrder)
  .meta({ id: 'CustomerPatch' });
export type CustomerPatch = z.infer<typeof CustomerPatch>;
export type CustomerFieldName = keyof Fields;

export const TagOnCustomer = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  expiresAt: z.string().nullable(),
});

export const CustomerOut = z
  .object({
    id: z.string(),
    fullName: z.string(),
    company: z.string().nullable(),
    industry: z.string().nullable(),
    productsOfInterest: z.array(z.string()),
    phone: z.string().nullable().describe('E.164; masked (e.g. +886***678) without the contact.unmask right'),
    phoneRaw: z.string().nullable(),
    email: z.string().nullable(),
    whatsappId: z.string().nullable(),
    budgetMin: z.number().nullable(),
    budgetMax: z.number().nullable(),
    budgetCurrency: z.string().nullable(),
    preferredContactSlots: z.array(ContactSlot),
    timezone: z.string().nullable(),
    birthday: z.string().nullable(),
    tier: z.enum(TIERS).nullable(),
    ownerId: z.string().nullable(),
    teamId: z.string().nullable(),
    optOutEmail: z.boolean(),
    optOutWhatsapp: z.boolean(),
    optOutSms: z.boolean(),
    optOutPhone: z.boolean(),
    points: z.number(),
    membershipTier: z.enum(MEMBERSHIP_TIERS).nullable(),
    totalSpend: z.number(),
    firstContactAt: z.string().nullable(),
    lastFollowUpAt: z.string().nullable(),
    lastInteractionAt: z.string().nullable(),
    priority: z.enum(PRIORITIES).nullable(),
    winProbability: z.number().nullable(),
    source: z.string().nullable(),
    customFields: z.record(z.string(), z.unknown()),
    archivedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    tags: z.array(TagOnCustomer),
    masked: z.boolean().describe('true when contact fields are masked for this user'),
  })
  .meta({ id: 'Customer' });
export type CustomerOut = z.infer<typeof CustomerOut>;

const csv = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

export const CustomerListQuery = z.object({
  q: z.string().trim().max(200).optional().describe('Search in name, company, email and phone digits'),
  ownerId: z.uuid().optional(),
  teamId: z.uuid().optional(),
  tier: z.enum(TIERS).optional(),
  tag: csv.optional().describe('Tag names (comma-separated): customers having all of them'),
  segmentId: z.uuid().optional(),
  archived: z.enum(['true', 'false', 'all']).default('false'),
  sort: z
    .enum(['name', '-name', 'createdAt', '-createdAt', 'lastInteractionAt', '-lastInteractionAt'])
    .default('-createdAt'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const IdParams = z.object({ id: z.uuid() });

export const InteractionCreate = z
  .object({
    kind: z.enum(schema.INTERACTION_KINDS),
    channel: z.string().trim().min(1).max(32).optional(),
    body: z.string().max(20_000).optional(),
    payload: z.record(z.string(), z.unknown()).optional(),
    occurredAt: instant.optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'order') {
      const amount = v.payload?.amount;
      if (typeof amount !== 'number' || !Number.isFinite(amount)) {
        ctx.addIssue({ code: 'custom', path: ['payload', 'amount'], message: 'an order needs a numeric payload.amount' });
      }
    }
  });
export type InteractionCreate = z.infer<typeof InteractionCreate>;

export const InteractionOut = z
  .object({
    id: z.string(),
    customerId: z.string(),
    kind: z.enum(schema.INTERACTION_KINDS),
    channel: z.string().nullable(),
    body: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    createdBy: z.string().nullable(),
    occurredAt: z.string(),
  })
  .meta({ id: 'Interaction' });

export const TimelineQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().optional().describe('Cursor from the previous page (nextCursor)'),
  kind: csv.pipe(z.array(z.enum(schema.INTERACTION_KINDS))).optional(),
});
