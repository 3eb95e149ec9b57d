/**
 * Duplicate detection. Two records are the same customer when they share a strong identifier
 * (normalised phone, lower-cased e-mail) and their names are not clearly different, or when their
 * full names and companies are near-identical after folding away Traditional/Simplified script,
 * case, accents, spacing, punctuation, legal suffixes and name order. The evidence is combined
 * into one score in [0, 1]; `DEFAULT_MATCH_THRESHOLD` was tuned with bench/dedupe-accuracy.ts.
 */
import { distance } from 'fastest-levenshtein';
import { foldText, isSharedLineNumber } from './normalise.js';

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
  /** In English. */
  reasons: string[];
  /** The same reasons as codes, to word in another language. */
  reasonCodes: MatchReason[];
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

interface Evidence {
  score: number;
  phoneEq: boolean;
  emailEq: boolean;
  phoneDiff: boolean;
  emailDiff: boolean;
  /** The shared phone is a fixed line / switchboard, or known for another customer too. */
  weakPhone: boolean;
  /** The shared e-mail is known for another customer too (a team mailbox). */
  weakEmail: boolean;
  /** A part of the name (the family name, for Chinese) clearly differs. */
  partDiffers: boolean;
  n: number;
  /** company similarity; undefined when either side has no company */
  c?: number;
}

/** Two adjacent letters swapped: "Lusi" for "Luis". */
function transposed(t: string, o: string): boolean {
  if (t.length !== o.length) return false;
  let i = 0;
  while (i < t.length && t[i] === o[i]) i++;
  return i + 1 < t.length && t[i] === o[i + 1] && t[i + 1] === o[i] && t.slice(i + 2) === o.slice(i + 2);
}

/**
 * Two words of a Latin-script name are the same word: equal, one the initial of the other, or
 * typos of each other — a letter changed, added, left out or two swapped, two such in words of
 * six letters or more ("Lis" and "Lus" are both "Luis"; "Willima" and "Willism" both "William").
 */
function sameWord(t: string, o: string): boolean {
  if (t === o) return true;
  if (t.length === 1 || o.length === 1) return t[0] === o[0];
  const longer = Math.max(t.length, o.length);
  if (longer < 3) return false;
  return distance(t, o) <= (longer >= 6 ? 2 : 1) || transposed(t, o);
}

/**
 * Strong evidence that two similar names belong to two people: for Chinese names a different
 * family name (the first character; 陳林美玲 written for 林美玲, a husband's surname put in front,
 * is not one); for names in Latin script a word on each side without a counterpart on the other
 * ("Ana Ruiz" / "Ana Díaz"; not "María García" / "María García López", nor "A. Ruiz" / "Ana Ruiz").
 */
export function namePartDiffers(a: PreparedIdentity, b: PreparedIdentity): boolean {
  if (!a.compact || !b.compact || a.compact === b.compact || a.nameKey === b.nameKey) return false;
  if (a.han !== b.han) return false;
  if (a.han) {
    const [x, y] = [[...a.compact], [...b.compact]];
    if (x.length < 2 || y.length < 2 || x[0] === y[0]) return false;
    return !a.compact.endsWith(b.compact) && !b.compact.endsWith(a.compact);
  }
  const unmatched = (p: string[], q: string[]) => p.some((t) => !q.some((o) => sameWord(t, o)));
  return unmatched(a.tokens, b.tokens) && unmatched(b.tokens, a.tokens);
}

const notShared = () => false;

/**
 * The match score of `a` against `b` (whose customer has the contacts `known`). Name and company
 * similarity are asked for only when they can still matter: below `minimum` it returns 0 early.
 * `shared(kind, value)` tells whether a phone / e-mail is already known for more than one customer.
 */
function weigh(
  a: PreparedIdentity,
  b: PreparedIdentity,
  known: KnownContacts,
  nameSim: () => number,
  companySim: () => number,
  minimum = -Infinity,
  out?: Evidence,
  shared: (kind: 'p' | 'e', value: string) => boolean = notShared,
): number {
  const x = a.identity;
  const phoneEq = !!x.phone && known.phones.has(x.phone);
  const emailEq = !!x.email && known.emails.has(x.email);
  const phoneDiff = !!x.phone && known.phones.size > 0 && !phoneEq;
  const emailDiff = !!x.email && known.emails.size > 0 && !emailEq;
  let score: number;
  let n: number;
  let c: number | undefined;
  let weakPhone = false;
  let weakEmail = false;
  let partDiffers = false;
  if (phoneEq || emailEq) {
    weakPhone = phoneEq && (isSharedLineNumber(x.phone!) || shared('p', x.phone!));
    weakEmail = emailEq && shared('e', x.email!);
    n = nameSim();
    const needed = a.han || b.han ? 0.5 : 0.6;
    if (emailEq && !weakEmail) {
      // The same personal mailbox; a team mailbox with clearly different names is two people.
      // Chinese names are two or three characters, so one wrong character already costs a third to a half.
      score = n >= needed ? 0.85 + 0.15 * n : 0.5 * n;
    } else if (phoneEq && !weakPhone) {
      // The same mobile: one person, unless the names are clearly different or a part of the
      // name (the family name) is another one.
      partDiffers = namePartDiffers(a, b);
      score = n >= needed && !partDiffers ? 0.85 + 0.15 * n : Math.min(0.8, 0.5 * n);
    } else {
      // Only a switchboard (fixed line) or a number / mailbox other customers share: it says
      // little more than "same company", so names must be near-identical; a different family
      // name or different e-mails speak against.
      c = a.companyKey && b.companyKey ? companySim() : undefined;
      partDiffers = namePartDiffers(a, b);
      score = partDiffers ? Math.min(0.8, 0.5 * n) : Math.max(0, 0.55 * n + 0.45 * (c ?? 1) - (emailDiff ? 0.05 : 0) - (phoneDiff ? 0.1 : 0));
    }
  } else if (!a.companyKey || !b.companyKey) {
    // A name alone: at most 0.8, below the default threshold.
    if (0.8 < minimum) return 0;
    n = nameSim();
    score = 0.8 * n;
  } else {
    c = companySim();
    const penalty = (phoneDiff ? 0.1 : 0) + (emailDiff ? 0.05 : 0);
    if (0.55 + 0.45 * c - penalty < minimum) return 0;
    n = nameSim();
    score = Math.max(0, 0.55 * n + 0.45 * c - penalty);
  }
  if (out) Object.assign(out, { score, phoneEq, emailEq, phoneDiff, emailDiff, weakPhone, weakEmail, partDiffers, n, c });
  return score;
}

/** Every code of a reason two records look alike; the editor words each in every UI language. */
export const MATCH_REASON_CODES = [
  'same_phone', 'same_shared_phone', 'same_email', 'same_shared_email', 'same_name', 'name_similar',
  'family_name_differs', 'name_word_differs', 'same_company', 'company_similar', 'different_phones', 'different_emails',
] as const;
/** Why two records look alike, as a code and what its wording needs (the phone, a percentage…). */
export interface MatchReason {
  code: (typeof MATCH_REASON_CODES)[number];
  params?: { phone?: string; email?: string; percent?: number };
}

function explainCodes(a: PreparedIdentity, e: Evidence): MatchReason[] {
  const reasons: MatchReason[] = [];
  if (e.phoneEq) reasons.push({ code: e.weakPhone ? 'same_shared_phone' : 'same_phone', params: { phone: a.identity.phone! } });
  if (e.emailEq) reasons.push({ code: e.weakEmail ? 'same_shared_email' : 'same_email', params: { email: a.identity.email! } });
  reasons.push(e.n === 1 ? { code: 'same_name' } : { code: 'name_similar', params: { percent: Math.round(e.n * 100) } });
  if (e.partDiffers) reasons.push({ code: a.han ? 'family_name_differs' : 'name_word_differs' });
  if (e.c !== undefined) reasons.push(e.c === 1 ? { code: 'same_company' } : { code: 'company_similar', params: { percent: Math.round(e.c * 100) } });
  if (e.c !== undefined || e.weakPhone || e.weakEmail) {
    if (e.phoneDiff) reasons.push({ code: 'different_phones' });
    if (e.emailDiff) reasons.push({ code: 'different_emails' });
  }
  return reasons;
}

/** A reason in English (API clients, the import report). */
export function matchReasonText(r: MatchReason): string {
  const p = r.params ?? {};
  switch (r.code) {
    case 'same_phone': return `same phone ${p.phone}`;
    case 'same_shared_phone': return `same shared phone line ${p.phone}`;
    case 'same_email': return `same e-mail ${p.email}`;
    case 'same_shared_email': return `same shared e-mail ${p.email}`;
    case 'same_name': return 'same name';
    case 'name_similar': return `name ${p.percent}% similar`;
    case 'family_name_differs': return 'different family name';
    case 'name_word_differs': return 'a word of the name differs';
    case 'same_company': return 'same company';
    case 'company_similar': return `company ${p.percent}% similar`;
    case 'different_phones': return 'different phones';
    case 'different_emails': return 'different e-mails';
  }
}

function explain(a: PreparedIdentity, e: Evidence): { reasons: string[]; reasonCodes: MatchReason[] } {
  const reasonCodes = explainCodes(a, e);
  return { reasons: reasonCodes.map(matchReasonText), reasonCodes };
}

/**
 * @param known the contacts of the customer `b` belongs to (default: b's own). Comparing with all
 *   of them keeps a row without a phone from linking two customers whose phones differ.
 */
export function matchScore(a: PreparedIdentity, b: PreparedIdentity, known: KnownContacts = contactsOf(b.identity)): MatchResult {
  const e = {} as Evidence;
  weigh(a, b, known, () => nameSimilarity(a, b), () => similarity(a.companyKey!, b.companyKey!), -Infinity, e);
  return { score: e.score, ...explain(a, e) };
}

function blockKeys(p: PreparedIdentity): string[] {
  const keys: string[] = [];
  if (p.identity.phone) keys.push(`p:${p.identity.phone}`);
  if (p.identity.email) keys.push(`e:${p.identity.email}`);
  if (!p.compact) return keys;
  keys.push(`n:${p.nameKey}`);
  // Chinese names are written with or without a space between family and given name.
  if (p.han) keys.push(`c:${p.compact}`);
  if (!p.han && p.tokens.length >= 3 && p.tokens.length <= 4) {
    // "María García López" is also found as "María García" (a second surname left out).
    const sorted = [...p.tokens].sort();
    for (let i = 0; i < sorted.length; i++) keys.push(`n:${sorted.filter((_, j) => j !== i).join(' ')}`);
  }
  if (p.companyKey) {
    if (p.han) {
      // A two-character piece of the name + the company: survives one wrong character.
      const chars = [...p.compact];
      for (let i = 0; i + 1 < chars.length || i === 0; i++) keys.push(`t:${chars.slice(i, i + 2).join('')}|${p.companyKey}`);
    } else {
      // One word of the name + the initials of the others + the company: survives a typo in
      // another word (past its first letter) while keeping blocks small for common names.
      const tokens = p.tokens.filter((t) => t.length >= 2);
      for (const t of new Set(tokens)) {
        const initials = p.tokens.filter((o) => o !== t).map((o) => o[0]).sort().join('');
        keys.push(`t:${t}|${initials}|${p.companyKey}`);
      }
    }
  }
  return keys;
}

export interface IndexMatch<T> extends MatchResult {
  ref: T;
}

/** An in-memory index of known customers (existing ones and rows already read) to find duplicates in. */
interface Entry<T> {
  prepared: PreparedIdentity;
  ref: T;
  /** All phones and e-mails known for `ref` (one object shared by the ref's entries). */
  known: { phones: Set<string>; emails: Set<string> };
  /** The last search that looked at this entry (an entry can sit in several blocks). */
  stamp: number;
}

export class DuplicateIndex<T> {
  private readonly blocks = new Map<string, Entry<T>[]>();
  private searches = 0;
  private readonly contacts = new Map<T, { phones: Set<string>; emails: Set<string> }>();
  constructor(readonly threshold = DEFAULT_MATCH_THRESHOLD) {}

  /**
   * Adds an identity; the same ref may be added several times (one per known variant).
   * Pass a PreparedIdentity (prepareIdentity) to fold a name once for findBest and add.
   */
  add(identity: Identity | PreparedIdentity, ref: T): void {
    const prepared = 'tokens' in identity ? identity : prepareIdentity(identity);
    const { phone, email } = prepared.identity;
    let known = this.contacts.get(ref);
    if (!known) this.contacts.set(ref, (known = { phones: new Set(), emails: new Set() }));
    if (phone) known.phones.add(phone);
    if (email) known.emails.add(email);
    const entry: Entry<T> = { prepared, ref, known, stamp: 0 };
    for (const key of blockKeys(prepared)) {
      const block = this.blocks.get(key);
      if (block) block.push(entry);
      else this.blocks.set(key, [entry]);
    }
  }

  /** The best-scoring known customer at or above the threshold. */
  findBest(identity: Identity | PreparedIdentity): IndexMatch<T> | undefined {
    const a = 'tokens' in identity ? identity : prepareIdentity(identity);
    let best: Entry<T> | undefined;
    let bestScore = -1;
    const stamp = ++this.searches;
    // Many entries share a spelling of the name or of the company: compare each spelling once.
    const names = new Map<string, number>();
    const companies = new Map<string, number>();
    let b: PreparedIdentity;
    const nameSim = () => {
      let n = names.get(b.nameKey);
      if (n === undefined) names.set(b.nameKey, (n = nameSimilarity(a, b)));
      return n;
    };
    const companySim = () => {
      let c = companies.get(b.companyKey!);
      if (c === undefined) companies.set(b.companyKey!, (c = similarity(a.companyKey!, b.companyKey!)));
      return c;
    };
    // A phone or e-mail already known for two customers or more is a switchboard or a team mailbox.
    const sharedValues = new Map<string, boolean>();
    const shared = (kind: 'p' | 'e', value: string) => {
      const key = `${kind}:${value}`;
      let v = sharedValues.get(key);
      if (v === undefined) {
        const block = this.blocks.get(key) ?? [];
        v = block.some((e) => e.ref !== block[0]!.ref);
        sharedValues.set(key, v);
      }
      return v;
    };
    for (const key of blockKeys(a)) {
      const block = this.blocks.get(key);
      if (!block) continue;
      for (const entry of block) {
        if (entry.stamp === stamp) continue;
        entry.stamp = stamp;
        b = entry.prepared;
        const score = weigh(a, b, entry.known, nameSim, companySim, this.threshold, undefined, shared);
        if (score >= this.threshold && score > bestScore) {
          best = entry;
          bestScore = score;
        }
      }
    }
    if (!best) return undefined;
    const evidence = {} as Evidence;
    b = best.prepared;
    weigh(a, b, best.known, nameSim, companySim, -Infinity, evidence, shared);
    return { ref: best.ref, score: evidence.score, ...explain(a, evidence) };
  }
}
