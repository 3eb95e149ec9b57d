// The Settings tabs and the action (shared permission map) a role needs to be offered each.
import type { Action } from '@nudge/contracts';

export const SETTINGS_TABS = ['users', 'teams', 'auto-replies', 'templates', 'inbox-policy', 'import'] as const;
export type SettingsTab = (typeof SETTINGS_TABS)[number];

/** A tab is offered to the roles that may change what it shows (Import: read-only for those who may only read it). */
export const TAB_ACTION: Record<SettingsTab, Action> = {
  users: 'user.manage',
  teams: 'team.manage',
  'auto-replies': 'autoReply.manage',
  templates: 'template.manage',
  'inbox-policy': 'inbox.policy',
  import: 'import.run',
};

export const settingsTabsFor = (allowed: (action: Action) => boolean): SettingsTab[] => SETTINGS_TABS.filter((tab) => allowed(TAB_ACTION[tab]));
