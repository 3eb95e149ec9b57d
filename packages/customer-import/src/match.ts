/**
 * Duplicate detection. Two records are the same customer when they share a strong identifier
 * (normalised phone, lower-cased e-mail) and their names are not clearly different, or when their
 * full names and companies are near-identical after folding away Traditional/Simplified script,
 * case, accents, spacing, punctuation, legal suffixes and name order. The evidence is combined
 * into one score in [0, 1]; `DEFAULT_MATCH_THRESHOLD` was tuned with bench/dedupe-accuracy.ts.
 */
import { distance } from 'fastest-levenshtein';
import { foldText } from './normalise.js';

export interface Identity {
  name: string;
  company?: string;
  /** E.164 */
  phone?: string;
  /** lower-cased */
  email?: string;
}

export interface PreparedIdentity {
  identity: Identity;
  /** Folded name tokens, in the order written. */
  tokens: string[];
  /** Tokens sorted and joined: equal for "Garcia, Maria" and "María García". */
  nameKey: string;
  /** Folded name without spaces: "張 大明" and "张大明" → "张大明". */
  compact: string;
  han: boolean;
  /** Folded company without legal suffixes; undefined when empty. */
  companyKey?: string;
}

export interface MatchResult {
  score: number;
  reasons: string[];
}

export const DEFAULT_MATCH_THRESHOLD = 0.88;

const HAN = /\p{Script=Han}/u;
const COMPANY_SUFFIXES = new Set([
  'inc', 'incorporated', 'ltd', 'limited', 'llc', 'llp', 'co', 'corp', 'corporation', 'company', 'plc', 'gmbh', 'ag',
  'sa', 'sl', 'sas', 'srl', 'sac', 'slu', 'de', 'cv', 'the', 'group', 'holdings',
]);
const COMPANY_SUFFIXES_HAN = ['股份有限公司', '有限责任公司', '有限公司', '集团', '公司'];

export function companyKeyOf(company: string | undefined): string | undefined {
  if (!company) return undefined;
  let folded = foldText(company.replace(/\bS\.\s*A\.|\bS\.\s*L\.|\bS\.\s*A\.\s*S\.|\bC\.\s*V\./gi, (m) => m.replace(/[.\s]/g, '')));
  for (const suffix of COMPANY_SUFFIXES_HAN) if (folded.endsWith(suffix) && folded.length > suffix.length) folded = folded.slice(0, -suffix.length);
  const tokens = folded.split(' ').filter((t) => t && !COMPANY_SUFFIXES.has(t));
  const key = (tokens.length > 0 ? tokens : folded.split(' ')).join('');
  return key || undefined;
}

export function prepareIdentity(identity: Identity): PreparedIdentity {
  const folded = foldText(identity.name);
  const tokens = folded.split(' ').filter(Boolean);
  return {
    identity,
    tokens,
    nameKey: [...tokens].sort().join(' '),
    compact: tokens.join(''),
    han: HAN.test(folded),
    companyKey: companyKeyOf(identity.company),
  };
}

/** 1 − normalised Levenshtein distance. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const max = Math.max(a.length, b.length);
  return max === 0 ? 1 : 1 - distance(a, b) / max;
}

export function nameSimilarity(a: PreparedIdentity, b: PreparedIdentity): number {
  if (a.compact === b.compact || a.nameKey === b.nameKey) return 1;
  if (a.han || b.han) return similarity(a.compact, b.compact);
  let best = Math.max(similarity(a.nameKey, b.nameKey), similarity(a.tokens.join(' '), b.tokens.join(' ')));
  // "María García" within "María García López" (a second surname left out).
  const [small, large] = a.tokens.length <= b.tokens.length ? [a.tokens, b.tokens] : [b.tokens, a.tokens];
  if (small.length >= 2 && small.length < large.length && small.every((t) => large.includes(t))) best = Math.max(best, 0.9);
  return best;
}

/** Every phone and e-mail known for a customer (a customer seen in several rows may have several). */
export interface KnownContacts {
  phones: ReadonlySet<string>;
  emails: ReadonlySet<string>;
}

const contactsOf = (i: Identity): KnownContacts => ({
  phones: new Set(i.phone ? [i.phone] : []),
  emails: new Set(i.email ? [i.email] : []),
});

/**
 * @param known the contacts of the customer `b` belongs to (default: b's own). Comparing with all
 *   of them keeps a row without a phone from linking two customers whose phones differ.
 */
export function matchScore(a: PreparedIdentity, b: PreparedIdentity, known: KnownContacts = contactsOf(b.identity)): MatchResult {
  const reasons: string[] = [];
  const x = a.identity;
  const phoneEq = !!x.phone && known.phones.has(x.phone);
  const emailEq = !!x.email && known.emails.has(x.email);
  const phoneDiff = !!x.phone && known.phones.size > 0 && !phoneEq;
  const emailDiff = !!x.email && known.emails.size > 0 && !emailEq;
  const n = nameSimilarity(a, b);
  if (phoneEq) reasons.push(`same phone ${x.phone}`);
  if (emailEq) reasons.push(`same e-mail ${x.email}`);
  reasons.push(n === 1 ? 'same name' : `name ${Math.round(n * 100)}% similar`);
  if (phoneEq || emailEq) {
    // A shared switchboard or mailbox with clearly different names is two people. Chinese names
    // are two or three characters, so one wrong character already costs a third to a half.
    const needed = a.han || b.han ? 0.5 : 0.6;
    const score = n >= needed ? 0.85 + 0.15 * n : 0.5 * n;
    return { score, reasons };
  }
  if (!a.companyKey || !b.companyKey) return { score: 0.8 * n, reasons };
  const c = similarity(a.companyKey, b.companyKey);
  reasons.push(c === 1 ? 'same company' : `company ${Math.round(c * 100)}% similar`);
  let score = 0.55 * n + 0.45 * c;
  if (phoneDiff) {
    score -= 0.1;
    reasons.push('different phones');
  }
  if (emailDiff) {
    score -= 0.05;
    reasons.push('different e-mails');
  }
  return { score: Math.max(0, score), reasons };
}

function blockKeys(p: PreparedIdentity): string[] {
  const keys: string[] = [];
  if (p.identity.phone) keys.push(`p:${p.identity.phone}`);
  if (p.identity.email) keys.push(`e:${p.identity.email}`);
  if (p.compact) keys.push(`n:${p.nameKey}`, `c:${p.compact}`);
  if (p.companyKey) {
    // One name piece + the company: survives a typo in another piece of the name.
    const pieces = p.han
      ? Array.from({ length: Math.max(1, [...p.compact].length - 1) }, (_, i) => [...p.compact].slice(i, i + 2).join(''))
      : p.tokens.filter((t) => t.length >= 2);
    for (const piece of new Set(pieces)) keys.push(`t:${piece}|${p.companyKey}`);
  }
  return keys;
}

export interface IndexMatch<T> extends MatchResult {
  ref: T;
}

/** An in-memory index of known customers (existing ones and rows already read) to find duplicates in. */
export class DuplicateIndex<T> {
  private readonly blocks = new Map<string, { prepared: PreparedIdentity; ref: T }[]>();
  private readonly contacts = new Map<T, { phones: Set<string>; emails: Set<string> }>();
  constructor(readonly threshold = DEFAULT_MATCH_THRESHOLD) {}

  /** Adds an identity; the same ref may be added several times (one per known variant). */
  add(identity: Identity, ref: T): void {
    const prepared = prepareIdentity(identity);
    let known = this.contacts.get(ref);
    if (!known) this.contacts.set(ref, (known = { phones: new Set(), emails: new Set() }));
    if (identity.phone) known.phones.add(identity.phone);
    if (identity.email) known.emails.add(identity.email);
    for (const key of blockKeys(prepared)) {
      const block = this.blocks.get(key);
      if (block) block.push({ prepared, ref });
      else this.blocks.set(key, [{ prepared, ref }]);
    }
  }

  /** The best-scoring known customer at or above the threshold. */
  findBest(identity: Identity): IndexMatch<T> | undefined {
    const prepared = prepareIdentity(identity);
    let best: IndexMatch<T> | undefined;
    const seen = new Set<PreparedIdentity>();
    for (const key of blockKeys(prepared)) {
      for (const entry of this.blocks.get(key) ?? []) {
        if (seen.has(entry.prepared)) continue;
        seen.add(entry.prepared);
        const result = matchScore(prepared, entry.prepared, this.contacts.get(entry.ref));
        if (result.score >= this.threshold && (!best || result.score > best.score)) best = { ...result, ref: entry.ref };
      }
    }
    return best;
  }
}
