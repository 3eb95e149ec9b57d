// Quick replies in the composer, as pure functions: which `/code` the agent is typing, the
// matching quick replies (the conversation's language first), and the text after inserting one
// with its variables filled.
import type { QuickReplyOut } from '@nudge/contracts';

export type QuickReply = QuickReplyOut;

/** The `/code` being typed just before the caret (at the start or after a space), or null. */
export function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(before);
  if (!m) return null;
  return { start: before.length - m[2]!.length - 1, query: m[2]!.toLowerCase() };
}

/** Quick replies whose code starts with `query` (then contains it), the conversation's language first; a team's only for that team. */
export function matchQuickReplies(list: readonly QuickReply[], query: string, language: string, teamId: string | null, limit = 8): QuickReply[] {
  const q = query.toLowerCase();
  const rank = (r: QuickReply) => {
    const code = r.code.toLowerCase();
    const where = code.startsWith(q) ? 0 : code.includes(q) ? 1 : -1;
    return where < 0 ? -1 : where * 2 + (r.language === language ? 0 : 1);
  };
  return list
    .filter((r) => !r.teamId || r.teamId === teamId)
    .map((r) => ({ r, k: rank(r) }))
    .filter((x) => x.k >= 0)
    .sort((a, b) => a.k - b.k || a.r.code.localeCompare(b.r.code))
    .slice(0, limit)
    .map((x) => x.r);
}

/** {name}, {owner}, {agent}…: unknown variables stay as written so the agent sees the gap. */
export function fillVariables(text: string, values: Record<string, string | null | undefined>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] || whole);
}

/** The text with `/query` replaced by the reply; the caret goes after it. */
export function insertQuickReply(text: string, at: { start: number; query: string }, reply: string): { text: string; caret: number } {
  const end = at.start + 1 + at.query.length;
  const next = text.slice(0, at.start) + reply + text.slice(end);
  return { text: next, caret: at.start + reply.length };
}
