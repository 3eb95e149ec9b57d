/**
 * Who may see and change which customer, and what of it:
 * - admin / manager: every customer; viewer: every customer, read-only, contacts masked;
 * - agent: customers they own or that belong to their team; contacts masked unless they hold
 *   the `contact.unmask` right;
 * - custom fields with a `requiredRight` (e.g. `finance` for discount / cost) are hidden from,
 *   and refused to, users without that right.
 */
import { eq, or, type SQL } from 'drizzle-orm';
import { schema } from '@nudge/db';
import { hasRight, RIGHTS, type AuthUser } from '../http/auth.js';
import { forbidden } from '../http/errors.js';

const c = schema.customers;

/** SQL condition restricting customers to those the user may see (undefined = all). */
export function visibleTo(user: AuthUser): SQL | undefined {
  if (user.role !== 'agent') return undefined;
  if (user.teamId) return or(eq(c.ownerId, user.id), eq(c.teamId, user.teamId));
  return eq(c.ownerId, user.id);
}

export function canSee(user: AuthUser, row: { ownerId: string | null; teamId: string | null }): boolean {
  if (user.role !== 'agent') return true;
  return row.ownerId === user.id || (!!user.teamId && row.teamId === user.teamId);
}

export function assertCanEdit(user: AuthUser): void {
  if (user.role === 'viewer') throw forbidden('Viewers can read customers but not change them.');
}

export const seesContacts = (user: AuthUser) => hasRight(user, RIGHTS.unmaskContact);

/** The masking rules live in one module (http/masking.ts); re-exported for the customer views. */
export { maskEmail, maskPhone } from '../http/masking.js';

export const CONTACT_FIELDS = ['phone', 'phoneRaw', 'email', 'whatsappId'] as const;

export type FieldRights = Map<string, string>; // custom field key → required right

export function hiddenCustomFields(user: AuthUser, rights: FieldRights): Set<string> {
  const hidden = new Set<string>();
  for (const [key, right] of rights) if (!hasRight(user, right)) hidden.add(key);
  return hidden;
}

export function assertMayWriteCustomFields(user: AuthUser, keys: Iterable<string>, rights: FieldRights): void {
  for (const key of keys) {
    const right = rights.get(key);
    if (right && !hasRight(user, right)) {
      throw forbidden(`You may not change custom field "${key}": it needs the "${right}" right.`);
    }
  }
}
