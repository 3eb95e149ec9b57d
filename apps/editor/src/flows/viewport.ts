// Where fitting the view puts a flow. The zoom never goes below MIN_READABLE_ZOOM, at which card
// text stays readable; a flow too large for the canvas at that zoom is shown from its start (the
// left or top edge, where the trigger sits after tidy-up) and the rest is reached by panning.
import { getViewportForBounds, type Rect, type Viewport } from '@xyflow/react';

export const MIN_READABLE_ZOOM = 0.6;
export const MAX_FIT_ZOOM = 1;
const PADDING = 0.2;
const EDGE_GAP = 40;

export function readableViewport(bounds: Rect, width: number, height: number): Viewport {
  const fitted = getViewportForBounds(bounds, width, height, MIN_READABLE_ZOOM, MAX_FIT_ZOOM, PADDING);
  if (fitted.zoom > MIN_READABLE_ZOOM + 1e-3) return fitted;
  const zoom = MIN_READABLE_ZOOM;
  // per axis: centred when it fits, else from its start
  const place = (start: number, size: number, room: number) =>
    size * zoom + 2 * EDGE_GAP <= room ? (room - size * zoom) / 2 - start * zoom : EDGE_GAP - start * zoom;
  return { x: place(bounds.x, bounds.width, width), y: place(bounds.y, bounds.height, height), zoom };
}
