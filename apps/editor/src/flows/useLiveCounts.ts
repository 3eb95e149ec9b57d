// Live per-node counts on the canvas: on by themselves once the flow has a published version
// (no toggle needed to see customers move), refreshed every few seconds while the page is
// visible; the toolbar switch turns them off (or on for a draft).
import { useEffect, useState } from 'react';
import type { FlowStore } from './store';
import { flowsApi } from './api';

/** How often the canvas counts refresh. */
export const COUNTS_POLL_MS = 3000;

export function useLiveCounts(flowId: string, published: boolean, store: FlowStore, onError: (e: unknown) => void): [boolean, (on: boolean) => void] {
  const [choice, setChoice] = useState<boolean | null>(null);
  const on = choice ?? published;
  useEffect(() => {
    if (!on) {
      store.getState().setCounts({});
      return;
    }
    let stop = false;
    const tick = () => {
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
      flowsApi
        .nodeCounts(flowId)
        .then((c) => !stop && store.getState().setCounts(c))
        .catch((e: unknown) => !stop && onError(e));
    };
    tick();
    const h = setInterval(tick, COUNTS_POLL_MS);
    return () => {
      stop = true;
      clearInterval(h);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [on, flowId, store]);
  return [on, setChoice];
}
