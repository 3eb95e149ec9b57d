/**
 * The customer record at the API boundary: input (create / patch), output and list query, built
 * from the customer field registry. The server validates and documents with these; the editor
 * parses customers with them.
 */
import { z } from 'zod';
import { customerFields, type CustomerField } from '@nudge/db/fields';
import * as schema from '@nudge/db/schema';

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

/** The zod schema of a client-set value of one registry field (JSON fields are given below). */
function inputSchema(f: CustomerField): z.ZodType {
  switch (f.format) {
    case 'email':
      return z.string().trim().toLowerCase().pipe(z.email());
    case 'phone':
      return z.string().trim().min(3).max(40);
    case 'currency':
      return z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as TWD, EUR, USD');
    case 'timezone':
      return z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Taipei');
  }
  switch (f.type) {
    case 'enum':
      return z.enum(f.values as [string, ...string[]]);
    case 'number': {
      let n = f.integer ? z.number().int() : z.number();
      if (f.min !== undefined) n = n.min(f.min);
      if (f.max !== undefined) n = n.max(f.max);
      return n;
    }
    case 'boolean':
      return z.boolean();
    case 'date':
      return z.iso.date();
    case 'datetime':
      return instant;
    case 'uuid':
      return z.uuid();
    case 'array': {
      const list = z.array(text(f.maxLength ?? 100));
      return f.maxItems === undefined ? list : list.max(f.maxItems, `at most ${f.maxItems} ${f.name}`);
    }
    case 'json':
      throw new Error(`customer field ${f.name} is JSON: give its input schema in JSON_INPUTS`);
    default:
      return text(f.maxLength ?? 200);
  }
}

/** Input schemas of the JSON columns. */
const JSON_INPUTS: Record<string, z.ZodType> = {
  preferredContactSlots: z.array(ContactSlot).max(21),
  customFields: z.record(z.string(), z.unknown()),
};

/** Fields a client may set (the registry's writable fields). Phone is given as typed (any format) and stored as E.164 + raw. */
const fieldSchemas: Record<string, z.ZodType> = Object.fromEntries(
  customerFields.writable.map((f) => [f.name, JSON_INPUTS[f.name] ?? inputSchema(f)]),
);
const phoneRegion = z
  .string()
  .regex(/^[A-Z]{2}$/, 'a two-letter country code such as US')
  .describe('Country of a phone given without +country code (default: NUDGE_DEFAULT_REGION, TW); not stored');

type Insert = typeof schema.customers.$inferInsert;
type WritableName = Exclude<keyof Insert, 'id' | 'phoneRaw' | 'consentUpdatedAt' | 'totalSpend' | 'archivedAt' | 'createdAt' | 'updatedAt'>;
type Settable = { [K in Exclude<WritableName, 'fullName'>]?: Insert[K] | null } & { phoneRegion?: string | null };

/** One field is not above another (e.g. the budget range), as the registry's `notAbove` says. */
const ordered = (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
  for (const f of customerFields.writable) {
    const other = f.notAbove;
    const a = v[f.name];
    const b = other ? v[other] : undefined;
    if (other && typeof a === 'number' && typeof b === 'number' && a > b) {
      ctx.addIssue({ code: 'custom', path: [other], message: `${other} must be ≥ ${f.name}` });
    }
  }
};

const { fullName, ...optionalFields } = fieldSchemas;
const nullableOptional = (f: Record<string, z.ZodType>) => Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.nullable().optional()]));

export const CustomerCreate = z
  .object({ fullName: fullName!, ...nullableOptional({ ...optionalFields, phoneRegion }) })
  .strict()
  .superRefine(ordered)
  .meta({ id: 'CustomerCreate' }) as unknown as z.ZodType<{ fullName: string } & Settable>;
export type CustomerCreate = { fullName: string } & Settable;

export const CustomerPatch = z
  .object({ fullName: fullName!.optional(), ...nullableOptional({ ...optionalFields, phoneRegion }) })
  .strict()
  .superRefine(ordered)
  .meta({ id: 'CustomerPatch' }) as unknown as z.ZodType<{ fullName?: string } & Settable>;
export type CustomerPatch = { fullName?: string } & Settable;

export const TagOnCustomer = z.object({
  id: z.string(),
  name: z.string(),
  color: z.string(),
  expiresAt: z.string().nullable(),
});

/** The output schema of one registry field's value. */
function outputSchema(f: CustomerField): z.ZodType {
  const base: z.ZodType =
    f.name === 'preferredContactSlots' ? z.array(ContactSlot)
    : f.name === 'customFields' ? z.record(z.string(), z.unknown())
    : f.type === 'enum' ? z.enum(f.values as [string, ...string[]])
    : f.type === 'number' ? z.number()
    : f.type === 'boolean' ? z.boolean()
    : f.type === 'array' ? z.array(z.string())
    : z.string();
  const out = f.notNull ? base : base.nullable();
  return f.mask ? out.describe(`${f.mask === 'email' ? 'E-mail' : 'Phone'}; masked (e.g. ${f.mask === 'email' ? 'jo***@example.com' : '+886***678'}) without the contact.unmask right`) : out;
}

type Select = typeof schema.customers.$inferSelect;
type Iso<T> = T extends Date ? string : T extends Date | null ? string | null : T;
export type CustomerOut = { [K in Exclude<keyof Select, 'consentUpdatedAt'>]: Iso<Select[K]> } & {
  tags: z.infer<typeof TagOnCustomer>[];
  masked: boolean;
};

export const CustomerOut = z
  .object({
    ...Object.fromEntries(customerFields.api.map((f) => [f.name, outputSchema(f)])),
    tags: z.array(TagOnCustomer),
    masked: z.boolean().describe('true when contact fields are masked for this user'),
  })
  .meta({ id: 'Customer' }) as unknown as z.ZodType<CustomerOut>;

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

export const CustomerIdParams = z.object({ id: z.uuid() });

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

export const CustomerListOut = z.object({ items: z.array(CustomerOut), total: z.number(), page: z.number(), pageSize: z.number() });
export const TimelineOut = z.object({ items: z.array(InteractionOut), nextCursor: z.string().nullable() });
