/**
 * Inbox metrics for a period (SPEC C, D; issue 12 item 8), computed with ONE SQL statement over
 * conversations and their turns. Each conversation's messages (notes left out) are cut into turns:
 * a customer's message and what went out after it until their next message. The turns are a rollup
 * the database keeps in the transaction that writes the messages (`conversation_turns`, triggers and
 * `nudge_refresh_turns` in migration 0023, kept incrementally since 0024 — the turn arithmetic lives there), so a period reads its
 * turns by two indexed time ranges (customer message, a person's reply) instead of windowing every
 * message of every conversation.
 *
 * When a period's figures are final (a weekly report must not keep changing, yet a late reply is
 * still a reply): each event counts in the period it happened in, the way help-desk reports count
 * reply events. A person's reply counts in the period it was sent, with its whole wait however long
 * (a reply on day 8 is in the next week's figures, not lost and not rewriting this week's). What an
 * auto-reply in the period led to is decided within a fixed time of that reply: silence at 24 h, a
 * hand-off if the customer asked for one within HANDOFF_WINDOW (7 days) of the reply — later, it is
 * a new matter, not that rule's failure. So a period's auto-reply and response figures are final 7
 * days after it ends (before 0023's rollup, messages more than 7 days after the period's end were
 * ignored, so the same reply counted differently depending on where in the period it fell; from
 * 0023 until now, a hand-off months later still changed the period's hand-off rate). The resolution
 * rate is the exception: it is the conversations' status now, a state rather than an event. Then:
 *
 * - trigger rate: of the customer's messages written while no person was talking with them (no
 *   reply by a person in the 24 h before — the bot stays quiet once a person took over), the share
 *   answered automatically (welcome, keyword reply, away message, hand-off notice);
 * - keyword coverage: of those messages that ask something (not a request for a person, not only a
 *   greeting), the share a keyword rule answered; the rest are the unmatched questions, grouped by
 *   their folded text (case, width, accents, Traditional = Simplified; questionKey), each shown by
 *   its most frequent wording with phone numbers and e-mail addresses masked;
 * - hand-off rate per rule: of the conversations where the rule replied, those where the next
 *   automatic step after that reply was a hand-off to a person (phrase, 3 repeats, "1"): the
 *   hand-off is blamed on the last rule that answered;
 * - silence: keyword replies after which the customer did not write again within 24 h (replies
 *   younger than 24 h are not decided yet);
 * - agents: a wait starts at the customer's first message after a person's reply and ends with
 *   the next reply by a person (response time, attributed to that agent, counted when the reply is
 *   in the period); the first response is the wait that starts with the conversation's first
 *   message; resolution rate: of the conversations the agent answered in the period or is assigned
 *   to, the share resolved; alert: an agent's average response time above their team's mean of
 *   agents' averages + 2σ (population σ; with n agents the largest possible z is (n-1)/√n, so a
 *   team needs 6 agents or more before anyone can be flagged).
 */
import { sql } from 'drizzle-orm';
import { INBOX_METRIC_TARGETS, type InboxMetricsAnswer } from '@nudge/contracts';
import type { AppContext } from '../context.js';
import { nowOf } from '../context.js';
import type { AuthUser } from '../http/auth.js';
import { maskText } from '../http/masking.js';
import { isGreeting } from './inbound.js';
import { questionKey } from './text.js';

const DAY_MS = 86_400_000;
/** A hand-off is blamed on a rule's reply when the customer asked for it within this time of the reply. */
export const HANDOFF_WINDOW_DAYS = 7;
/** Distinct unmatched texts read back to fold and group (the rest still count in the totals). */
const UNMATCHED_READ = 2000;
const UNMATCHED_TOP = 20;

export interface InboxMetricsInput {
  from?: string | undefined;
  to?: string | undefined;
  teamId?: string | undefined;
}

type Raw = {
  totals: { inbound: number; bot: number; triggered: number; questions: number; matched: number };
  unmatched: { body: string; n: number }[] | null;
  rules: { rule_id: string | null; name: string | null; kind: string | null; conversations: number; handed_off: number }[] | null;
  silence: { replies: number; decided: number; silent: number };
  overall: { replies: number; avg_secs: number | null; avg_first_secs: number | null; median_first_secs: number | null; conversations: number; resolved: number };
  agents: { user_id: string; name: string; team_id: string | null; team_name: string | null; replies: number; avg_secs: number | null; firsts: number; avg_first_secs: number | null; conversations: number; resolved: number }[] | null;
};

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function inboxMetrics(ctx: AppContext, user: AuthUser, input: InboxMetricsInput): Promise<InboxMetricsAnswer> {
  const now = nowOf(ctx);
  const to = input.to ? new Date(input.to) : now;
  const from = input.from ? new Date(input.from) : new Date(to.getTime() - 7 * DAY_MS);
  const teamId = input.teamId ?? null;
  const result = await ctx.db.db.execute(metricsQuery({ from, to, teamId, now }));
  const rows = ((result as { rows?: unknown[] }).rows ?? (result as unknown as unknown[])) as { metrics: string }[];
  const raw = JSON.parse(rows[0]!.metrics) as Raw;
  return shape(raw, user, { from, to, teamId });
}

/** The one statement (`explain`: its EXPLAIN ANALYZE, for the benchmark). */
export function metricsQuery(p: { from: Date; to: Date; teamId: string | null; now: Date }, options: { explain?: boolean } = {}) {
  const f = p.from.toISOString();
  const t = p.to.toISOString();
  const { teamId, now } = p;
  return sql`${sql.raw(options.explain ? 'explain (analyze, buffers, costs off) ' : '')}
    with scope as (
      select c.id, c.status, c.assignee_id
      from conversations c
      where c.last_message_at >= ${f}::timestamptz and (${teamId}::uuid is null or c.team_id = ${teamId}::uuid)
    ),
    p as (
      select x.conversation_id as cid, x.in_at, x.body, x.auto, x.rule_id, x.reply_at, x.handoff, x.next_in_at,
        -- the next answered turn was a hand-off (then_handoff), asked for within the window of this reply
        (x.then_handoff and x.reply_at is not null and exists (
          select 1 from conversation_turns h
          where h.conversation_id = x.conversation_id and h.turn > x.turn and h.handoff
            and h.in_at < x.reply_at + ${`${HANDOFF_WINDOW_DAYS} days`}::interval)) as then_handoff,
        (x.prev_agent_at is null or x.in_at - x.prev_agent_at >= interval '24 hours') as bot
      from conversation_turns x join scope s on s.id = x.conversation_id
      where x.in_at >= ${f}::timestamptz and x.in_at < ${t}::timestamptz
    ),
    rule_stats as (
      select rule_id, count(distinct cid)::int as conversations, (count(distinct cid) filter (where then_handoff))::int as handed_off
      from p where reply_at is not null
      group by rule_id
    ),
    ws as (
      select x.conversation_id as cid, x.agent_id, x.wait_no, extract(epoch from x.agent_at - x.wait_start_at)::float8 as secs
      from conversation_turns x join scope s on s.id = x.conversation_id
      where x.agent_at is not null and x.agent_id is not null and x.agent_at >= ${f}::timestamptz and x.agent_at < ${t}::timestamptz
    ),
    handled as (
      select agent_id, cid from ws
      union
      select assignee_id::text, id from scope where assignee_id is not null
    ),
    res as (
      select h.agent_id, count(*)::int as conversations, (count(*) filter (where s.status = 'resolved'))::int as resolved
      from handled h join scope s on s.id = h.cid group by h.agent_id
    ),
    ag as (
      select agent_id, count(*)::int as replies, avg(secs) as avg_secs, (count(*) filter (where wait_no = 0))::int as firsts,
        avg(secs) filter (where wait_no = 0) as avg_first_secs
      from ws group by agent_id
    )
    select json_build_object(
      'totals', (select json_build_object(
          'inbound', count(*),
          'bot', count(*) filter (where bot),
          'triggered', count(*) filter (where bot and auto),
          'questions', count(*) filter (where bot and not handoff),
          'matched', count(*) filter (where bot and not handoff and reply_at is not null)) from p),
      'unmatched', (select json_agg(u) from (
          select coalesce(body, '') as body, count(*)::int as n from p
          where bot and not handoff and reply_at is null
          group by body order by count(*) desc, body limit ${UNMATCHED_READ}) u),
      'rules', (select json_agg(r) from (
          select coalesce(rs.rule_id, ar.id::text) as rule_id, ar.name, ar.kind::text as kind,
            coalesce(rs.conversations, 0) as conversations, coalesce(rs.handed_off, 0) as handed_off
          from rule_stats rs
          full join (select id, name, kind from auto_reply_rules where active and kind in ('keyword', 'high_value')) ar on ar.id::text = rs.rule_id
          order by coalesce(rs.conversations, 0) desc, ar.name) r),
      'silence', (select json_build_object(
          'replies', count(*),
          'decided', count(*) filter (where reply_at + interval '24 hours' <= ${now.toISOString()}::timestamptz),
          'silent', count(*) filter (where reply_at + interval '24 hours' <= ${now.toISOString()}::timestamptz
                                       and (next_in_at is null or next_in_at > reply_at + interval '24 hours')))
          from p where reply_at is not null),
      'overall', (select json_build_object(
          'replies', count(*),
          'avg_secs', avg(secs),
          'avg_first_secs', avg(secs) filter (where wait_no = 0),
          'median_first_secs', percentile_cont(0.5) within group (order by secs) filter (where wait_no = 0),
          'conversations', (select count(distinct cid) from handled),
          'resolved', (select count(distinct h.cid) from handled h join scope s on s.id = h.cid where s.status = 'resolved')) from ws),
      'agents', (select json_agg(a) from (
          select u.id as user_id, u.name, u.team_id, tm.name as team_name,
            coalesce(ag.replies, 0) as replies, ag.avg_secs, coalesce(ag.firsts, 0) as firsts, ag.avg_first_secs,
            coalesce(res.conversations, 0) as conversations, coalesce(res.resolved, 0) as resolved
          from (select agent_id from ag union select agent_id from res) ids
          join users u on u.id::text = ids.agent_id
          left join teams tm on tm.id = u.team_id
          left join ag on ag.agent_id = ids.agent_id
          left join res on res.agent_id = ids.agent_id
          order by u.name, u.id) a)
    )::text as metrics`;
}

function shape(raw: Raw, user: AuthUser, period: { from: Date; to: Date; teamId: string | null }): InboxMetricsAnswer {
  const T = INBOX_METRIC_TARGETS;
  // greetings ("hi", "你好") are not questions; the rest grouped by their folded text, each group
  // shown by its most frequent wording, phone numbers and e-mail addresses masked
  let greetings = 0;
  const groups = new Map<string, { count: number; text: string; best: number }>();
  for (const u of raw.unmatched ?? []) {
    const key = questionKey(u.body);
    if (isGreeting(key)) {
      greetings += u.n;
      continue;
    }
    const g = groups.get(key) ?? { count: 0, text: u.body, best: 0 };
    g.count += u.n;
    if (u.n > g.best) Object.assign(g, { text: u.body, best: u.n });
    groups.set(key, g);
  }
  const questions = raw.totals.questions - greetings;
  const matched = raw.totals.matched;
  const top = [...groups.values()]
    .sort((a, b) => b.count - a.count || a.text.localeCompare(b.text))
    .slice(0, UNMATCHED_TOP)
    .map((g) => ({ text: maskText(g.text.trim()), count: g.count }));

  const rows = (raw.agents ?? []).map((a) => ({
    userId: a.user_id,
    name: a.name,
    teamId: a.team_id,
    teamName: a.team_name,
    replies: a.replies,
    avgResponseSeconds: num(a.avg_secs),
    firstResponses: a.firsts,
    avgFirstResponseSeconds: num(a.avg_first_secs),
    conversations: a.conversations,
    resolved: a.resolved,
    resolutionRate: ratio(a.resolved, a.conversations),
    alert: false,
  }));
  // each team's mean and population σ of its agents' averages
  const byTeam = new Map<string | null, typeof rows>();
  for (const r of rows) if (r.avgResponseSeconds !== null) byTeam.set(r.teamId, [...(byTeam.get(r.teamId) ?? []), r]);
  const teams = [...byTeam.entries()].map(([teamId, members]) => {
    const xs = members.map((m) => m.avgResponseSeconds!);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sigma = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    const above = mean + T.alertSigmas * sigma;
    for (const m of members) m.alert = members.length >= 2 && sigma > 0 && m.avgResponseSeconds! > above;
    const alone = members.length < 2; // nobody to compare with
    return { teamId, teamName: members[0]!.teamName, agents: members.length, meanResponseSeconds: mean, sigmaSeconds: alone ? null : sigma, alertAboveSeconds: alone ? null : above };
  });
  teams.sort((a, b) => (a.teamName ?? '').localeCompare(b.teamName ?? ''));
  const { conversations, resolved } = raw.overall;

  return {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    teamId: period.teamId,
    targets: { triggerRate: T.triggerRate, keywordCoverage: T.keywordCoverage, handoffRate: T.handoffRate, silenceHours: T.silenceHours, alertSigmas: T.alertSigmas },
    autoReplies: {
      inbound: raw.totals.inbound,
      botMessages: raw.totals.bot,
      triggered: raw.totals.triggered,
      triggerRate: ratio(raw.totals.triggered, raw.totals.bot),
      questions,
      matched,
      keywordCoverage: ratio(matched, questions),
    },
    unmatched: { total: questions - matched, top },
    rules: (raw.rules ?? []).map((r) => {
      const handoffRate = ratio(r.handed_off, r.conversations);
      return { ruleId: r.rule_id, name: r.name, kind: r.kind, conversations: r.conversations, handedOff: r.handed_off, handoffRate, flagged: handoffRate !== null && handoffRate > T.handoffRate };
    }),
    silence: { autoReplies: raw.silence.replies, decided: raw.silence.decided, silent: raw.silence.silent, share: ratio(raw.silence.silent, raw.silence.decided) },
    agents: {
      replies: raw.overall.replies,
      avgResponseSeconds: num(raw.overall.avg_secs),
      avgFirstResponseSeconds: num(raw.overall.avg_first_secs),
      medianFirstResponseSeconds: num(raw.overall.median_first_secs),
      conversations,
      resolved,
      resolutionRate: ratio(resolved, conversations),
      teams,
      // agents see their own row only (the team's mean and threshold, not their colleagues')
      rows: user.role === 'agent' ? rows.filter((r) => r.userId === user.id) : rows,
    },
  };
}
