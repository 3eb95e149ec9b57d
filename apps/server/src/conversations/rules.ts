/**
 * Auto-reply rules as pure data: which rule answers a message. Rules run in order, the first
 * match wins; a pattern matches case-, width- and accent-insensitively, Traditional = Simplified.
 */
import type { schema } from '@nudge/db';
import { foldForMatch, type InboxLanguage } from './text.js';

export type AutoReplyRule = Pick<
  typeof schema.autoReplyRules.$inferSelect,
  'id' | 'name' | 'kind' | 'position' | 'match' | 'patterns' | 'replies' | 'template' | 'hours' | 'active'
>;

const regexCache = new Map<string, RegExp | null>();

function compiled(pattern: string): RegExp | null {
  if (!regexCache.has(pattern)) {
    let re: RegExp | null;
    try {
      re = new RegExp(foldForMatch(pattern), 'iu');
    } catch {
      re = null;
    }
    if (regexCache.size > 5000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return regexCache.get(pattern)!;
}

/** Why a regular expression cannot be used (for the API's 4xx), or null. */
export function regexProblem(pattern: string): string | null {
  try {
    new RegExp(foldForMatch(pattern), 'iu');
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export function patternMatches(rule: Pick<AutoReplyRule, 'match' | 'patterns'>, folded: string): string | null {
  for (const p of rule.patterns) {
    if (rule.match === 'regex') {
      if (compiled(p)?.test(folded)) return p;
      continue;
    }
    const fp = foldForMatch(p);
    if (!fp) continue;
    if (rule.match === 'exact' ? folded === fp : folded.includes(fp)) return p;
  }
  return null;
}

const runsNow = (rule: Pick<AutoReplyRule, 'hours'>, inHours: boolean) =>
  rule.hours === 'always' || (rule.hours === 'in_hours') === inHours;

/** The first active rule of these kinds whose patterns match, in position order. */
export function firstMatch<R extends AutoReplyRule>(rules: R[], kinds: R['kind'][], text: string, inHours: boolean): { rule: R; pattern: string } | null {
  const folded = foldForMatch(text);
  const ordered = rules.filter((r) => r.active && kinds.includes(r.kind) && runsNow(r, inHours)).sort((a, b) => a.position - b.position);
  for (const rule of ordered) {
    const pattern = patternMatches(rule, folded);
    if (pattern !== null) return { rule, pattern };
  }
  return null;
}

/** The first active rule of a kind that applies now, without patterns (welcome, away). */
export function firstOfKind<R extends AutoReplyRule>(rules: R[], kind: R['kind'], inHours: boolean): R | null {
  return rules.filter((r) => r.active && r.kind === kind && runsNow(r, inHours)).sort((a, b) => a.position - b.position)[0] ?? null;
}

/** The reply in the customer's language, else the default, else English, else any. */
export function replyIn(rule: Pick<AutoReplyRule, 'replies'>, language: InboxLanguage): string | null {
  const r = rule.replies;
  return r[language] ?? r.default ?? r.en ?? Object.values(r).find((v) => !!v) ?? null;
}
