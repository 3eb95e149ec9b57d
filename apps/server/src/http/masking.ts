/**
 * Contact masking, enforced in ONE place: everything the API sends to a user without the
 * `contact.unmask` right (viewers; agents without it) passes through `maskContacts` — JSON
 * answers, error messages, CSV and other text answers (the route helper wraps `res.json`,
 * `res.send`, `res.write` and `res.end` for such users). It does not rely on knowing which field
 * holds a contact: every string is searched for e-mail addresses and phone numbers, so a phone
 * inside a timeline payload (`payload.from`), a run step's output, a test-run result, a
 * notification, an export or an error message is masked as well.
 *
 *   0912-345-678 → 0912***678     +886912345678 → +886***678     john.doe@example.com → jo***@example.com
 *
 * What counts as a phone: 8 or more digits, optionally led by `+` or `(`, separated only by
 * spaces, dashes or parentheses, and not part of a longer word, number or date (ids, hashes,
 * 2026-12-01, 12:30, 1200.50 are left alone). Values already masked stay as they are.
 */

import type { Response } from 'express';

/** 0912-345-678 → 0912***678; +886912345678 → +886***678; short values keep one character. */
export function maskPhone(value: string | null): string | null {
  if (!value) return value;
  const s = value.replace(/[\s\-().]/g, '');
  if (s.length <= 7) return `${s.slice(0, 1)}***`;
  return `${s.slice(0, 4)}***${s.slice(-3)}`;
}

/** john.doe@example.com → jo***@example.com */
export function maskEmail(value: string | null): string | null {
  if (!value) return value;
  const at = value.lastIndexOf('@');
  if (at <= 0) return `${value.slice(0, 1)}***`;
  return `${value.slice(0, Math.min(2, at))}***${value.slice(at)}`;
}

const EMAIL = /[A-Za-z0-9._%+\-'*]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const PHONE = /(?<![\w*+\-/]|\d\.)(?:\+|\()?\d(?:[ \-()\u00a0]{0,2}\d){7,}(?![\w*-]|\.\d)/g;
const DATE_LIKE = /^\d{4}-\d{2}-\d{2}$|^\d{4}-\d{2}-\d{2}[ T]/;

export interface MaskOptions {
  /** values left as they are (e.g. the caller's own e-mail address) */
  keep?: ReadonlySet<string>;
}

/** Masks every e-mail address and phone number inside a text. */
export function maskText(text: string, opts: MaskOptions = {}): string {
  if (text.length < 8) return text;
  let out = text;
  if (out.includes('@')) {
    out = out.replace(EMAIL, (m) => {
      if (opts.keep?.has(m.toLowerCase())) return m;
      const at = m.lastIndexOf('@');
      if (m.slice(0, at).includes('***')) return m;
      return maskEmail(m)!;
    });
  }
  if (/\d{2}/.test(out)) {
    out = out.replace(PHONE, (m) => {
      if (DATE_LIKE.test(m) || (m.match(/\d/g)?.length ?? 0) < 8) return m;
      return maskPhone(m)!;
    });
  }
  return out;
}

/** A deep copy of `value` with every string (keys too) passed through `maskText`. */
export function maskContacts<T>(value: T, opts: MaskOptions = {}): T {
  const seen = new WeakMap<object, unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskText(v, opts);
    if (v === null || typeof v !== 'object') return v;
    if (v instanceof Date) return v;
    if (seen.has(v)) return seen.get(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const x of v) out.push(walk(x));
      return out;
    }
    const json = (v as { toJSON?: () => unknown }).toJSON;
    if (typeof json === 'function') return walk(json.call(v));
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [k, x] of Object.entries(v)) out[maskText(k, opts)] = walk(x);
    return out;
  };
  return walk(value) as T;
}

// ---- the enforcement point: between a handler and the wire, for one response. JSON bodies are
// masked as objects (before serialisation), text and streamed bodies (CSV exports) chunk by chunk.
// Installed by the route helper (./route.ts) for users without `contact.unmask`.

const maskChunk = (chunk: unknown, opts: MaskOptions): unknown => {
  if (typeof chunk === 'string') return maskText(chunk, opts);
  if (Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) return Buffer.from(maskText(Buffer.from(chunk).toString('utf8'), opts), 'utf8');
  return chunk;
};

export function installContactMasking(res: Response, opts: MaskOptions): void {
  if (res.locals.contactMasking) return;
  res.locals.contactMasking = true;
  let inner = 0; // > 0 while json/send hand an already masked body down to write/end
  const json = res.json.bind(res);
  const send = res.send.bind(res);
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => Response;
  res.json = ((body: unknown) => {
    inner++;
    try {
      return json(maskContacts(body, opts));
    } finally {
      inner--;
    }
  }) as Response['json'];
  res.send = ((body: unknown) => {
    if (inner) return send(body);
    inner++;
    try {
      return send(maskChunk(body, opts));
    } finally {
      inner--;
    }
  }) as Response['send'];
  res.write = ((chunk: unknown, ...rest: unknown[]) => write(inner ? chunk : maskChunk(chunk, opts), ...rest)) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) =>
    end(inner || typeof chunk === 'function' ? chunk : maskChunk(chunk, opts), ...rest)) as Response['end'];
}
