/** GET /api/inbox/metrics: the inbox's auto-reply and agent figures for a period (SPEC C, D). */
import { z } from 'zod';

const DAY_MS = 86_400_000;

export const INBOX_METRIC_TARGETS = {
  /** share of the customer's messages the bot answered (welcome, keyword, away or hand-off notice) */
  triggerRate: 0.85,
  /** share of the customer's questions a keyword rule matched */
  keywordCoverage: 0.8,
  /** a rule whose reply is followed by a hand-off in more than this share of conversations is flagged */
  handoffRate: 0.4,
  /** silence after an auto-reply: the customer did not write again within this many hours */
  silenceHours: 24,
  /** an agent whose average response time is above the team mean + this many standard deviations is flagged */
  alertSigmas: 2,
} as const;

export const InboxMetricsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('start of the period (default: 7 days before `to`)'),
    to: z.iso.datetime({ offset: true }).optional().describe('end of the period, exclusive (default: now)'),
    teamId: z.uuid().optional().describe("only this team's conversations"),
  })
  .superRefine((q, c) => {
    if (q.from && q.to && new Date(q.from).getTime() >= new Date(q.to).getTime()) {
      c.addIssue({ code: 'custom', path: ['from'], message: '`from` must be before `to`' });
    }
    if (q.from && q.to && new Date(q.to).getTime() - new Date(q.from).getTime() > 366 * DAY_MS) {
      c.addIssue({ code: 'custom', path: ['from'], message: 'the period may be at most 366 days long' });
    }
  });

const share = z.number().min(0).max(1).nullable().describe('0–1; null when there is nothing to divide by');
const seconds = z.number().nonnegative().nullable();

export const InboxRuleMetric = z.object({
  ruleId: z.string().nullable().describe('null: replies recorded without a rule'),
  name: z.string().nullable().describe('null: the rule was deleted'),
  kind: z.string().nullable(),
  conversations: z.number().int().describe("conversations in which the rule's reply went out in the period"),
  handedOff: z.number().int().describe('of those, conversations where the next automatic step after the reply was a hand-off to a person'),
  handoffRate: share,
  flagged: z.boolean().describe('hand-off rate above the target (40%): the reply does not answer enough'),
});

export const InboxAgentMetric = z.object({
  userId: z.string(),
  name: z.string(),
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
  replies: z.number().int().describe('customer waits this agent ended with a reply in the period'),
  avgResponseSeconds: seconds.describe('from the first unanswered customer message to the reply'),
  firstResponses: z.number().int(),
  avgFirstResponseSeconds: seconds.describe("from the customer's first message in the conversation to the first reply by a person"),
  conversations: z.number().int().describe('conversations the agent answered in the period or is assigned to'),
  resolved: z.number().int(),
  resolutionRate: share,
  alert: z.boolean().describe("average response time above the agent's team mean + 2σ"),
});

export const InboxTeamResponseStats = z.object({
  teamId: z.string().nullable(),
  teamName: z.string().nullable(),
  agents: z.number().int().describe('agents with at least one reply'),
  meanResponseSeconds: seconds.describe("mean of the agents' average response times"),
  sigmaSeconds: seconds.describe("standard deviation (population) of the agents' averages"),
  alertAboveSeconds: seconds.describe('mean + 2σ; null (as σ) for a team of one agent: nobody to compare with'),
});

export const InboxMetrics = z
  .object({
    from: z.string(),
    to: z.string(),
    teamId: z.string().nullable(),
    targets: z.object({ triggerRate: z.number(), keywordCoverage: z.number(), handoffRate: z.number(), silenceHours: z.number(), alertSigmas: z.number() }),
    autoReplies: z.object({
      inbound: z.number().int().describe("customers' messages in the period"),
      botMessages: z.number().int().describe('of those, written while no person was talking with the customer (no reply by a person in the 24 h before)'),
      triggered: z.number().int().describe('bot messages answered automatically'),
      triggerRate: share,
      questions: z.number().int().describe('bot messages that ask something: not a request for a person, not only a greeting'),
      matched: z.number().int().describe('questions a keyword rule answered'),
      keywordCoverage: share,
    }),
    unmatched: z.object({
      total: z.number().int(),
      top: z.array(z.object({ text: z.string().describe('the most frequent wording of questions with the same folded text (case, width, accents, Traditional = Simplified); phone numbers and e-mail addresses masked'), count: z.number().int() })),
    }),
    rules: z.array(InboxRuleMetric),
    silence: z.object({
      autoReplies: z.number().int().describe('keyword replies in the period'),
      decided: z.number().int().describe('of those, older than 24 h'),
      silent: z.number().int().describe('the customer did not write again within 24 h'),
      share,
    }),
    agents: z.object({
      replies: z.number().int(),
      avgResponseSeconds: seconds,
      avgFirstResponseSeconds: seconds,
      medianFirstResponseSeconds: seconds,
      conversations: z.number().int(),
      resolved: z.number().int(),
      resolutionRate: share,
      teams: z.array(InboxTeamResponseStats),
      rows: z.array(InboxAgentMetric).describe('agents see only their own row'),
    }),
  })
  .meta({ id: 'InboxMetrics' });

export type InboxMetricsAnswer = z.infer<typeof InboxMetrics>;
