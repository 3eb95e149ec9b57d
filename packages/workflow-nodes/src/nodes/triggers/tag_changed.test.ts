import { describe, expect, it } from 'vitest';
import { tagChangedTrigger } from './tag_changed.js';

describe('trigger.tag_changed', () => {
  const trigger = tagChangedTrigger.trigger as Extract<typeof tagChangedTrigger.trigger, { mode: 'event' }>;
  it('matches the chosen tag and direction, ignoring case', () => {
    const added = tagChangedTrigger.config.parse({ tag: 'Quote sent' });
    expect(trigger.match(added, { type: 'tag.added', customerId: 'c', at: 0, data: { tag: 'quote sent' } })).toBe(true);
    expect(trigger.match(added, { type: 'tag.removed', customerId: 'c', at: 0, data: { tag: 'quote sent' } })).toBe(false);
    expect(trigger.match(added, { type: 'tag.added', customerId: 'c', at: 0, data: { tag: 'vip' } })).toBe(false);
    const removed = tagChangedTrigger.config.parse({ tag: 'vip', change: 'removed' });
    expect(trigger.match(removed, { type: 'tag.removed', customerId: 'c', at: 0, data: { tag: 'vip' } })).toBe(true);
  });
  it('needs a tag', () => {
    expect(tagChangedTrigger.config.safeParse({ change: 'added' }).success).toBe(false);
  });
});
