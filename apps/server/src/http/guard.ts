/**
 * Input screening at the boundary, before any schema or handler sees a request: what no route
 * can store or handle safely is refused with a 400 naming the path (`body.name`, `query.tag`):
 * - the NUL character (U+0000) in any string or key — PostgreSQL text and jsonb cannot hold it;
 * - a lone UTF-16 surrogate ("\ud800") — not Unicode, cannot be encoded as UTF-8;
 * - a number that is not finite or beyond ±2^53 (JSON numbers like 18446744073709551616 lose
 *   their value as a JavaScript number and overflow every column);
 * - nesting deeper than MAX_DEPTH levels (a 5,000-level payload blows the database's stack).
 * The route helper runs it on params, query and body; the webhooks run it on their parsed JSON.
 */
import type { ErrorIssue } from './errors.js';

export const MAX_DEPTH = 64;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** true when the string holds a lone UTF-16 surrogate (String#isWellFormed, ES2024) */
export const hasLoneSurrogate = (s: string) => LONE_SURROGATE.test(s);
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');
const MAX_ISSUES = 20;

export function screenInput(value: unknown, prefix: string): ErrorIssue[] {
  const issues: ErrorIssue[] = [];
  const add = (path: string, code: string, message: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ path, code, message });
  };
  const checkString = (s: string, path: string) => {
    if (s.includes('\u0000')) add(path, 'nul_character', 'must not contain the NUL character (\\u0000)');
    else if (hasLoneSurrogate(s)) add(path, 'invalid_unicode', 'contains a lone UTF-16 surrogate (e.g. "\\ud800"): not valid Unicode');
  };
  const walk = (v: unknown, path: string, depth: number) => {
    if (issues.length >= MAX_ISSUES) return;
    if (typeof v === 'string') return checkString(v, path);
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER) {
        add(path, 'number_too_large', `number out of range (at most ±${Number.MAX_SAFE_INTEGER})`);
      }
      return;
    }
    if (v === null || typeof v !== 'object') return;
    // Raw bytes (an uploaded CSV file) are not JSON: their reader screens them (walking a 100 MB
    // Buffer's indices as keys would hold the event loop for seconds).
    if (ArrayBuffer.isView(v)) return;
    if (depth >= MAX_DEPTH) {
      add(path, 'too_deep', `nested more than ${MAX_DEPTH} levels deep`);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}.${i}`, depth + 1));
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      const safeKey = k.replaceAll('\u0000', '\\u0000');
      const p = `${path}.${safeKey.replace(LONE_SURROGATES, '\uFFFD')}`;
      checkString(k, `${p} (key)`);
      walk(x, p, depth + 1);
    }
  };
  walk(value, prefix, 0);
  return issues;
}
