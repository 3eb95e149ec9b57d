/**
 * Who gets a conversation: among agents who are present, on shift and under their cap of open
 * conversations; with the skill the team needs; preferring those who speak the customer's
 * language; then round-robin (the one assigned longest ago) or load (fewest open first).
 */
export interface AgentCandidate {
  userId: string;
  teamId: string | null;
  skills: string[];
  languages: string[];
  maxOpen: number;
  open: number;
  available: boolean;
  onShift: boolean;
  lastAssignedAt: Date | null;
}

export interface RoutingNeed {
  teamId: string | null;
  skill: string | null;
  language: string;
}

export type AssignmentStrategy = 'round_robin' | 'load';

export function chooseAgent(candidates: AgentCandidate[], need: RoutingNeed, strategy: AssignmentStrategy = 'round_robin'): AgentCandidate | null {
  let pool = candidates.filter(
    (a) => a.available && a.onShift && a.open < a.maxOpen && (!need.teamId || a.teamId === need.teamId) && (!need.skill || a.skills.includes(need.skill)),
  );
  if (pool.length === 0) return null;
  const speakers = pool.filter((a) => a.languages.includes(need.language));
  if (speakers.length) pool = speakers;
  const last = (a: AgentCandidate) => a.lastAssignedAt?.getTime() ?? -Infinity;
  pool.sort((a, b) =>
    strategy === 'load'
      ? a.open - b.open || last(a) - last(b) || a.userId.localeCompare(b.userId)
      : last(a) - last(b) || a.open - b.open || a.userId.localeCompare(b.userId),
  );
  return pool[0]!;
}
