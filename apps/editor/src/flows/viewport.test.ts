import { describe, expect, it } from 'vitest';
import { MIN_READABLE_ZOOM, readableViewport } from './viewport';

describe('readable fit', () => {
  it('fits a small flow as usual, never zooming in past 100 %', () => {
    const v = readableViewport({ x: 0, y: 0, width: 600, height: 200 }, 1200, 800);
    expect(v.zoom).toBe(1);
    expect(v.x).toBeCloseTo(300);
    expect(v.y).toBeCloseTo(300);
  });

  it('keeps a long flow readable and shows it from its start, centred the other way', () => {
    const v = readableViewport({ x: 100, y: 0, width: 5000, height: 300 }, 1000, 800);
    expect(v.zoom).toBe(MIN_READABLE_ZOOM);
    // the left edge of the flow (the trigger) is on screen
    expect(100 * v.zoom + v.x).toBeCloseTo(40);
    expect(v.y + (300 * v.zoom) / 2).toBeCloseTo(400);
  });

  it('a tall flow starts at its top', () => {
    const v = readableViewport({ x: 0, y: -50, width: 300, height: 4000 }, 1000, 800);
    expect(v.zoom).toBe(MIN_READABLE_ZOOM);
    expect(-50 * v.zoom + v.y).toBeCloseTo(40);
  });
});
