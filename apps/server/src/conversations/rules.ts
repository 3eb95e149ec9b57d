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

export interface ReplyPlanInput {
  text: string;
  inHours: boolean;
  /** the customer's first message in this conversation */
  firstContact: boolean;
  /** the away message may go out now: not sent today, no agent answered in the last 5 minutes */
  awayAllowed: boolean;
  /** a hand-off is due (a phrase, 3 repeats, "1" after the follow-up) and none happened yet */
  handoffAllowed: boolean;
  /** whether a repeat / follow-up answer asks for a person even without a phrase */
  handoffForced: boolean;
  /** a person replied in this episode: the bot stops answering questions */
  personTookOver: boolean;
}

export interface ReplyPlan<R extends AutoReplyRule> {
  /** at most one: the away message out of hours (it replaces the welcome), else the welcome on first contact */
  greeting: { purpose: 'away' | 'welcome'; rule: R } | null;
  /** the hand-off phrase that matched (or the hand-off rule when forced), when a hand-off happens */
  handoff: { rule: R | null; pattern: string | null } | null;
  highValue: { rule: R; pattern: string } | null;
  /** at most one answer: the hand-off notice, else the high-value rule's reply, else the first keyword rule */
  answer: { purpose: 'handoff' | 'auto_reply'; rule: R | null } | null;
  keyword: { rule: R; pattern: string } | null;
}

/**
 * What answers one inbound message: at most ONE greeting and at most ONE answer, the greeting
 * first. Out of hours the away message is the greeting (it says when a person will answer, so
 * a welcome beside it is noise); else the welcome greets a first contact. The answer is the
 * hand-off notice when the customer is handed to a person, else the high-value rule's reply
 * (when it has one), else the first matching keyword rule.
 */
export function planReplies<R extends AutoReplyRule>(rules: R[], input: ReplyPlanInput): ReplyPlan<R> {
  const { text, inHours } = input;
  const away = !inHours && input.awayAllowed ? firstOfKind(rules, 'away', false) : null;
  const welcome = input.firstContact ? firstOfKind(rules, 'welcome', inHours) : null;
  const greeting = away ? { purpose: 'away' as const, rule: away } : welcome ? { purpose: 'welcome' as const, rule: welcome } : null;
  const phrase = firstMatch(rules, ['handoff'], text, inHours);
  const handoff = input.handoffAllowed && (phrase || input.handoffForced)
    ? { rule: phrase?.rule ?? firstOfKind(rules, 'handoff', inHours), pattern: phrase?.pattern ?? null }
    : null;
  const highValue = firstMatch(rules, ['high_value'], text, inHours);
  const keyword = !handoff && !highValue && !input.personTookOver ? firstMatch(rules, ['keyword'], text, inHours) : null;
  const answer = handoff
    ? { purpose: 'handoff' as const, rule: handoff.rule }
    : highValue
      ? { purpose: 'auto_reply' as const, rule: highValue.rule }
      : keyword
        ? { purpose: 'auto_reply' as const, rule: keyword.rule }
        : null;
  return { greeting, handoff, highValue, answer, keyword };
}
