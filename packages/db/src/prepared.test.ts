import { describe, expect, it } from 'vitest';
import { preparedCount, preparedOnce } from './prepared.js';

describe('preparedOnce', () => {
  it('builds a statement once per name and handle, and keeps at most 256 shapes per handle', () => {
    const a = {}, b = {};
    let built = 0;
    const build = () => ({ n: ++built });
    const first = preparedOnce(a, 'q', build);
    expect(preparedOnce(a, 'q', build)).toBe(first);
    expect(preparedOnce(b, 'q', build)).not.toBe(first); // another handle (e.g. another database) builds its own
    expect(built).toBe(2);
    for (let i = 0; i < 1000; i++) preparedOnce(a, `shape:${i}`, build);
    expect(preparedCount(a)).toBe(256);
    expect(preparedOnce(a, 'shape:999', build).n).toBe(built); // the newest are kept
    const before = built;
    preparedOnce(a, 'q', build); // the oldest was dropped: built again
    expect(built).toBe(before + 1);
  });
});
