import { or, sql, type SQL } from 'drizzle-orm';
import { schema } from '@nudge/db';
import type { AuthUser } from '../http/auth.js';
import { seesContacts } from './access.js';

const c = schema.customers;
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/**
 * A customer matches the search text q: name or company folded (accents, case, full-/half-width,
 * Traditional vs Simplified: "Jose Garcia" finds "José García", 陳 finds 陈), and, for users who see
 * contacts, the e-mail or phone (digits only, 4 or more, without leading zeros: "0912 345" finds
 * +886912345…). Users who see contacts masked search names and companies only (no probing of hidden
 * values). The expressions match the trigram indexes of migrations 0006 and 0016 (where pg_trgm
 * exists); the inbox list (conversations/service.ts) searches with it too.
 */
export function customerSearch(user: AuthUser, q: string): SQL | undefined {
  const like = `%${escapeLike(q)}%`;
  const digits = q.replace(/\D/g, '').replace(/^0+/, '');
  const contacts = seesContacts(user);
  // nudge_fold() never leaves % or _ (punctuation becomes a space). Called once (an empty fold is
  // null, matching nothing): the planner folds it into the LIKE pattern for the trigram index, and
  // each call costs ~5 ms of planning (its Traditional → Simplified map).
  const folded = sql`nullif(nudge_fold(${q}::text), '')`;
  const emailPhone = sql`(coalesce(${c.email}, '') || ' ' || coalesce(${c.phone}, ''))`;
  return or(
    sql`${c.searchFolded} like '%' || ${folded} || '%'`,
    contacts ? sql`${emailPhone} ilike ${like}` : undefined,
    contacts && digits.length >= 4 ? sql`${emailPhone} like ${`%${digits}%`}` : undefined,
  );
}
