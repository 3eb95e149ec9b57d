// Manifest icon names → glyphs. Unknown names fall back to one glyph per node kind.
const glyphs: Record<string, string> = {
  mail: '✉', email: '✉', message: '💬', 'message-circle': '💬', whatsapp: '💬', sms: '📱', send: '📤',
  clock: '⏱', timer: '⏱', hourglass: '⏳', calendar: '📅', 'calendar-clock': '📅', cake: '🎂', gift: '🎁',
  tag: '🏷', tags: '🏷', 'tag-off': '🏷', users: '👥', user: '👤', 'user-plus': '👤', 'user-check': '👤',
  phone: '📞', task: '✅', 'check-square': '✅', 'clipboard-check': '✅', bell: '🔔', edit: '✎', pencil: '✎', note: '📝', 'sticky-note': '📝',
  flag: '🚩', webhook: '🔗', link: '🔗', globe: '🌐', 'git-branch': '⑂', branch: '⑂', split: '⑃', shuffle: '🔀', 'git-fork': '⑃',
  play: '▶', zap: '⚡', bolt: '⚡', filter: '⧩', target: '🎯', goal: '🎯', square: '■', stop: '■', 'circle-stop': '■', star: '★', coins: '🪙',
  inbox: '📥', upload: '📤', download: '📥', repeat: '🔁', workflow: '⛓', 'list-tree': '⑂', hand: '✋', reply: '↩', 'mouse-pointer': '👆', 'file-input': '📄',
};
const byKind: Record<string, string> = { trigger: '⚡', condition: '⑂', action: '▶', control: '⏱' };

export function iconFor(icon: string | undefined, kind: string | undefined): string {
  return (icon && glyphs[icon]) || byKind[kind ?? ''] || '●';
}
