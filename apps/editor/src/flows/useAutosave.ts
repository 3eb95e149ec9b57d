// Debounced autosave of the draft graph, followed by validation of the saved draft.
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/client';
import { flowsApi } from './api';
import type { FlowStore } from './store';

export type SaveState = 'saved' | 'pending' | 'saving' | 'error';

export function useAutosave(flowId: string, store: FlowStore, delayMs = 800) {
  const [state, setState] = useState<SaveState>('saved');
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);

  async function validate() {
    try {
      const res = await flowsApi.validate(flowId);
      store.getState().setProblems(res.problems, res.warnings);
    } catch (e) {
      // A draft the server cannot validate is reported where the problems are listed.
      if (!(e instanceof ApiError && e.status === 404)) store.getState().setProblems([{ code: 'validate_failed', message: (e as Error).message }]);
    }
  }

  async function saveNow(): Promise<void> {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (inFlight.current) await inFlight.current;
    const graph = store.getState().present;
    setState('saving');
    const p = flowsApi
      .saveDraft(flowId, graph)
      .then(async () => {
        setError(null);
        setState(store.getState().present === graph ? 'saved' : 'pending');
        await validate();
      })
      .catch((e: unknown) => {
        setError(e);
        setState('error');
      });
    inFlight.current = p;
    await p;
    inFlight.current = null;
  }

  useEffect(() => {
    let last = store.getState().revision;
    const unsub = store.subscribe((s) => {
      if (s.revision === last || s.readOnly) return;
      last = s.revision;
      setState('pending');
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void saveNow(), delayMs);
    });
    return () => {
      unsub();
      if (timer.current) {
        clearTimeout(timer.current);
        void saveNow();
      }
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flowId, store]);

  return { state, error, saveNow, validate };
}
