// Manifest icon names are lucide names; only the icons the catalogue uses are bundled (an explicit
// map keeps tree-shaking). Unknown names fall back to one icon per node kind.
import {
  AlarmClock, Bell, Cake, CalendarClock, CalendarDays, CircleHelp, CircleStop, Flag, GitBranch, GitFork, Globe, Hand, Hourglass,
  ListTodo, Mail, MessageCircle, MessageSquareReply, Pencil, PencilLine, Play, Send, Split, SplitSquareHorizontal, Star, StickyNote,
  Tag, TagX, Timer, Trophy, UserCheck, UserPlus, UsersRound, Webhook, Workflow, Zap, type LucideIcon,
} from 'lucide-react';

const byName: Record<string, LucideIcon> = {
  'users-round': UsersRound, 'calendar-clock': CalendarClock, 'user-plus': UserPlus, tag: Tag, 'pencil-line': PencilLine,
  'message-circle': MessageCircle, webhook: Webhook, cake: Cake, 'calendar-days': CalendarDays, hand: Hand, split: Split,
  'git-fork': GitFork, send: Send, 'tag-x': TagX, 'user-check': UserCheck, 'list-todo': ListTodo, bell: Bell, pencil: Pencil,
  flag: Flag, 'sticky-note': StickyNote, globe: Globe, workflow: Workflow, star: Star, hourglass: Hourglass, 'alarm-clock': AlarmClock,
  'message-square-reply': MessageSquareReply, 'split-square-horizontal': SplitSquareHorizontal, trophy: Trophy, 'circle-stop': CircleStop,
  mail: Mail, timer: Timer, zap: Zap, play: Play, 'git-branch': GitBranch,
};
const byKind: Record<string, LucideIcon> = { trigger: Zap, condition: GitBranch, action: Play, control: Timer };

export function NodeIcon({ icon, kind, size = 18 }: { icon: string | undefined; kind: string | undefined; size?: number }) {
  const Icon = (icon && byName[icon]) || byKind[kind ?? ''] || CircleHelp;
  return <Icon size={size} strokeWidth={2} aria-hidden />;
}
