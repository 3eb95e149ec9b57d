/**
 * Who may do what: the one permission map. The server's routes take their roles from it
 * (`route({ action: 'flow.publish', ... })`) and the editor asks `can(user, action)` before it
 * offers a control, so a control a role cannot use is never shown. A server test checks that every
 * role-restricted route names an action here, so the two cannot drift apart.
 *
 * Record-level rules stay on the server (an agent sees only their own and their team's customers;
 * custom fields with a required right; contacts masked without `contact.unmask`).
 */
import type { Role } from './auth.js';

const EVERYONE = ['admin', 'manager', 'agent', 'viewer'] as const satisfies readonly Role[];
const ACTORS = ['admin', 'manager', 'agent'] as const satisfies readonly Role[];
const MANAGERS = ['admin', 'manager'] as const satisfies readonly Role[];
const ADMINS = ['admin'] as const satisfies readonly Role[];

export const PERMISSIONS = {
  // flows
  'flow.create': MANAGERS,
  'flow.save': MANAGERS,
  'flow.publish': MANAGERS,
  'flow.pause': MANAGERS,
  'flow.resume': MANAGERS,
  'flow.archive': MANAGERS,
  'flow.enroll': MANAGERS,
  'flow.suppress': MANAGERS,
  'flow.testRun': MANAGERS,
  'run.cancel': MANAGERS,
  'run.retry': MANAGERS,
  'hook.secret': MANAGERS,
  // customers
  'customer.create': ACTORS,
  'customer.edit': ACTORS,
  'customer.archive': ACTORS,
  'customer.note': ACTORS,
  'customer.tag': ACTORS,
  'customer.delete': MANAGERS,
  'customer.merge': MANAGERS,
  'customer.fields': MANAGERS,
  'suppression.manage': MANAGERS,
  'audit.read': MANAGERS,
  'quality.archiveStale': MANAGERS,
  // tags and segments
  'tag.manage': MANAGERS,
  'tag.health': MANAGERS,
  'tag.expire': ADMINS,
  'segment.save': MANAGERS,
  'segment.delete': MANAGERS,
  // import
  'import.run': MANAGERS,
  /** The organisation's default country is read by everyone who adds customers by hand. */
  'importSettings.read': ACTORS,
  'importSettings.change': ADMINS,
  // settings: users, teams, inbox policy, auto-replies
  'user.list': MANAGERS,
  'user.manage': ADMINS,
  'team.manage': ADMINS,
  'team.inboxSettings': MANAGERS,
  'inbox.policy': MANAGERS,
  'autoReply.read': EVERYONE,
  'autoReply.manage': MANAGERS,
  /** Saved message templates and quick replies: everyone reads (agents use them), managers write. */
  'template.read': EVERYONE,
  'template.manage': MANAGERS,
  // inbox and tasks
  'conversation.reply': ACTORS,
  'conversation.note': ACTORS,
  'conversation.assign': ACTORS,
  'conversation.snooze': ACTORS,
  'conversation.resolve': ACTORS,
  'inbox.presence': ACTORS,
  'inbound.message': ACTORS,
  'task.done': ACTORS,
  /** Inbox metrics: managers see every agent, agents their own row (the server filters). */
  'inbox.metrics': ACTORS,
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** The roles allowed to do `action`. */
export const rolesFor = (action: Action): readonly Role[] => PERMISSIONS[action];

/** May this user (or role) do `action`? A signed-out user may do nothing. */
export function can(user: { role: Role } | Role | null | undefined, action: Action): boolean {
  const role = typeof user === 'string' ? user : user?.role;
  return !!role && (PERMISSIONS[action] as readonly Role[]).includes(role);
}
