// Live inbox updates: ONE stream per tab (GET /api/inbox/events, server-sent events) shared by
// the list and the open conversation. Read with fetch() streaming rather than EventSource,
// because EventSource can't send the Authorization header and the session token must not go
// into a URL. When the stream drops it reconnects with backoff (1 s … 30 s) and the screens poll
// faster meanwhile (see InboxView's usePoll), so nothing is missed.
import { useEffect, useRef, useState } from 'react';
import { authHeader } from '../api/client';

export type LiveEvent =
  | { type: 'message'; conversationId: string; messageId: string; direction: string }
  | { type: 'status'; conversationId: string; messageId: string; status: string }
  | { type: 'assignment'; conversationId: string; assigneeId: string | null; teamId: string | null }
  | { type: 'conversation'; conversationId: string; status: string }
  | { type: 'notification'; notificationId: string; kind: string; conversationId: string | null };

type Listener = (e: LiveEvent) => void;
const listeners = new Set<Listener>();
const stateListeners = new Set<(live: boolean) => void>();
let live = false;
let abort: AbortController | null = null;
let retry: ReturnType<typeof setTimeout> | null = null;
let backoff = 1000;

function setLive(next: boolean) {
  if (live === next) return;
  live = next;
  for (const l of stateListeners) l(live);
}

/** Splits a text/event-stream body into events; returns what is left of an unfinished block. */
export function parseEvents(buffer: string, emit: (type: string, data: string) => void): string {
  let i: number;
  while ((i = buffer.search(/\r?\n\r?\n/)) >= 0) {
    const block = buffer.slice(0, i);
    buffer = buffer.slice(buffer[i] === '\r' ? i + 4 : i + 2);
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue; // heartbeat
      const [field, ...rest] = line.split(':');
      const value = rest.join(':').replace(/^ /, '');
      if (field === 'event') type = value;
      if (field === 'data') data.push(value);
    }
    if (data.length) emit(type, data.join('\n'));
  }
  return buffer;
}

async function connect() {
  const ac = new AbortController();
  abort = ac;
  try {
    const res = await fetch('/api/inbox/events', { headers: { Accept: 'text/event-stream', ...authHeader() }, signal: ac.signal });
    if (!res.ok || !res.body || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) throw new Error(`event stream: ${res.status}`);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), (type, data) => {
        if (type === 'ready') {
          setLive(true);
          backoff = 1000;
          return;
        }
        let e: LiveEvent;
        try {
          e = JSON.parse(data) as LiveEvent;
        } catch {
          return;
        }
        for (const l of [...listeners]) l(e);
      });
    }
  } catch {
    /* dropped, refused or aborted: reconnect below */
  }
  if (abort !== ac) return; // closed on purpose
  setLive(false);
  abort = null;
  retry = setTimeout(() => {
    retry = null;
    if (listeners.size) void connect();
  }, backoff);
  backoff = Math.min(30_000, backoff * 2);
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (!abort && !retry) void connect();
  return () => {
    listeners.delete(listener);
    if (listeners.size) return;
    if (retry) clearTimeout(retry);
    retry = null;
    const ac = abort;
    abort = null;
    ac?.abort();
    setLive(false);
    backoff = 1000;
  };
}

/** Calls `onEvent` for every live event while mounted; returns whether the stream is up. */
export function useLiveInbox(onEvent: Listener): boolean {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  const [isLive, setIsLive] = useState(live);
  useEffect(() => {
    stateListeners.add(setIsLive);
    const off = subscribe((e) => ref.current(e));
    setIsLive(live);
    return () => {
      off();
      stateListeners.delete(setIsLive);
    };
  }, []);
  return isLive;
}

/**
 * Reloads on live events — all of them, or only those about one conversation: the first of a
 * burst 30 ms after it arrives, the rest at most every 400 ms (a reload cancels the one in
 * flight, so reloading on every event of a burst could starve). Returns whether the stream is up.
 */
export function useLiveReload(reload: () => void, conversationId?: string): boolean {
  const ref = useRef(reload);
  ref.current = reload;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return useLiveInbox((e) => {
    if (conversationId && !('conversationId' in e && e.conversationId === conversationId)) return;
    if (e.type === 'notification' && !conversationId) return;
    if (timer.current) return;
    const wait = Math.max(30, last.current + 400 - Date.now());
    timer.current = setTimeout(() => {
      timer.current = null;
      last.current = Date.now();
      ref.current();
    }, wait);
  });
}

/** Polling while the stream is down (every 3 s) and, as a safety net, while it is up (every 60 s). */
export const POLL_MS = 3000;
export const LIVE_POLL_MS = 60_000;
/** `localStorage['nudge.inbox.pollMs']` overrides the fallback (developers; the browser test proves the stream alone). */
export function pollMs(isLive: boolean): number {
  const override = typeof localStorage !== 'undefined' ? Number(localStorage.getItem('nudge.inbox.pollMs')) : NaN;
  if (Number.isFinite(override) && override > 0) return override;
  return isLive ? LIVE_POLL_MS : POLL_MS;
}
