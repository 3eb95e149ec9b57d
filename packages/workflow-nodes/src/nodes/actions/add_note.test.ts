import { describe, expect, it } from 'vitest';
import { createMemoryContext } from '../../testing/memory-context.js';
import { addNoteAction } from './add_note.js';

describe('action.add_note', () => {
  it('writes the rendered note on the timeline, with event data', async () => {
    const { ctx, world } = createMemoryContext({
      customers: [{ id: 'c1', name: 'Ana' }],
      run: { triggerEvent: { type: 'message.received', customerId: 'c1', at: 0, data: { text: 'precio?' } } },
    });
    await addNoteAction.run(ctx, addNoteAction.config.parse({ text: '{name} asked: {event.text}' }));
    expect(world.notes).toEqual([{ noteId: 'note-1', customerId: 'c1', text: 'Ana asked: precio?' }]);
  });
});
