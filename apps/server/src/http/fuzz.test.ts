// Fuzz over EVERY route of the OpenAPI document (GET /api/openapi.json): for each operation a
// plausible request is generated from its schemas and then broken one way at a time — NUL
// characters, lone surrogates, numbers too large for any column (also as raw JSON text), JSON
// nested 5,000 levels deep, empty bodies, wrong types, unknown and malformed ids, hostile query
// strings. Path parameters are real ids of seeded data, so the requests reach the handlers and the
// database. No answer may be a 5xx. Deterministic (seeded), bounded (a few hundred requests).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWhatsAppPayload } from '@nudge/channels';
import { createTestApp, type TestApp } from './testing.js';
import { realUrls, seedBoundaryData, SMS_TOKEN, WEBHOOK_SECRET, type BoundaryData } from './boundary-fixtures.js';

type Json = Record<string, any>;
let t: TestApp;
let d: BoundaryData;
let doc: Json;

beforeAll(async () => {
  process.env.WHATSAPP_APP_SECRET = WEBHOOK_SECRET;
  process.env.SMS_WEBHOOK_TOKEN = SMS_TOKEN;
  process.env.WHATSAPP_VERIFY_TOKEN = 'boundary-verify';
  t = await createTestApp();
  d = await seedBoundaryData(t);
  doc = (await t.http.get('/api/openapi.json')).body;
}, 120_000);
afterAll(() => t?.close());

/** mulberry32: the same sequence on every run */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const DEEP = 5000;
const deepJson = (leaf = '1') => '{"a":'.repeat(DEEP) + leaf + '}'.repeat(DEEP);

/** A body is sent as raw JSON text, so that numbers JSON.stringify cannot write survive. */
const RAW = {
  nul: '"a\\u0000b"',
  surrogate: '"x\\ud800y"',
  huge: '18446744073709551616',
  maxSafe: '9007199254740991',
  int32: '3000000000',
  negative: '-1e300',
  array: '[1,"x",null]',
  object: '{"x":{"y":[]}}',
  bool: 'true',
  nullv: 'null',
  longText: JSON.stringify('x'.repeat(100_000)),
};

function resolve(schema: Json | undefined, depth = 0): Json {
  if (!schema || depth > 20) return {};
  if (schema.$ref) return resolve(doc.components.schemas[String(schema.$ref).split('/').pop()!], depth + 1);
  const alt = schema.anyOf ?? schema.oneOf;
  if (alt) return resolve(alt.find((s: Json) => s.type !== 'null') ?? alt[0], depth + 1);
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Json) => resolve(s, depth + 1)));
  return schema;
}

/** A plausible value for a schema: real ids for uuids, the first enum value, minimal sizes. */
function sample(schema: Json | undefined, depth = 0): unknown {
  const s = resolve(schema);
  if (depth > 6) return null;
  if ('const' in s) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  const type = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
  switch (type) {
    case 'object': {
      const out: Json = {};
      for (const [k, v] of Object.entries<Json>(s.properties ?? {})) {
        if ((s.required ?? []).includes(k) || depth === 0) out[k] = sample(v, depth + 1);
      }
      return out;
    }
    case 'array':
      return (s.minItems ?? 0) > 0 || depth === 0 ? [sample(s.items, depth + 1)] : [];
    case 'integer':
    case 'number':
      return s.minimum ?? s.exclusiveMinimum ?? 1;
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'uuid') return d.ids.customerA;
      if (s.format === 'email') return 'fuzz@example.com';
      if (s.format === 'date-time') return new Date().toISOString();
      if (s.format === 'date') return '2026-01-01';
      return 'fuzz'.padEnd(s.minLength ?? 1, 'z').slice(0, Math.max(s.maxLength ?? 40, 1));
    default:
      return {};
  }
}

/** JSON text of `base` with the value at `key` replaced by raw JSON text. */
const withRaw = (base: Json, key: string, raw: string) => {
  const marker = `"__fuzz_${Math.random().toString(36).slice(2)}__"`;
  return JSON.stringify({ ...base, [key]: JSON.parse(marker) }).replace(marker, raw);
};

interface Case { method: string; url: string; body?: string; label: string; auth: 'admin' | 'viewer' | 'none' }

function casesFor(method: string, path: string, op: Json, rand: () => number): Case[] {
  const cases: Case[] = [];
  const [url] = realUrls(path, d);
  const auth = (op.security ?? [{}]).length === 0 ? 'none' : 'admin';
  const add = (label: string, u: string, body?: string, who: Case['auth'] = auth) => cases.push({ method, url: u, body, label, auth: who });
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const bodyObj = schema ? resolve(schema) : undefined;
  const base = schema ? (sample(schema) as Json) : undefined;
  const baseText = base === undefined ? undefined : JSON.stringify(base);

  add('as generated', url!, baseText);
  if (op.security?.length) add('as a viewer', url!, baseText, 'viewer');
  // path parameters: malformed, NUL, unknown
  if (/\{\w+\}/.test(path)) {
    const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const p = params[Math.floor(rand() * params.length)]!;
    for (const [name, value] of [['NUL', '%00'], ['unknown uuid', '00000000-0000-4000-8000-0000000000ff'], ['wrong type', 'not-an-id%E2%80%8B'], ['bad utf-8', '%ED%A0%80']] as const) {
      add(`path ${p}: ${name}`, realUrls(path.replace(`{${p}}`, value), d)[0]!, baseText);
    }
  }
  // query parameters
  const query = (op.parameters ?? []).filter((x: Json) => x.in === 'query').map((x: Json) => x.name as string);
  for (const q of query.slice(0, 4)) {
    const v = ['%00', '18446744073709551616', '%ED%A0%80', 'x%00y', '-1', '1e400'][Math.floor(rand() * 6)]!;
    add(`query ${q}=${v}`, `${url}?${encodeURIComponent(q)}=${v}`, baseText);
  }
  if (query.length) add('query as arrays and objects', `${url}?${query.map((q: string) => `${encodeURIComponent(q)}[]=1&${encodeURIComponent(q)}[x]=%00`).join('&')}`, baseText);
  // bodies
  if (schema) {
    add('empty body {}', url!, '{}');
    add('body is an array', url!, '[]');
    add(`body nested ${DEEP} deep`, url!, deepJson());
    // at most 6 fields per operation (picked by the seeded PRNG) keep the run to a few hundred requests
    const props = Object.keys(bodyObj?.properties ?? {}).map((k) => [rand(), k] as const).sort((a, b) => a[0] - b[0]).slice(0, 6).map(([, k]) => k);
    const kinds = Object.keys(RAW) as (keyof typeof RAW)[];
    for (const key of props) {
      const propSchema = resolve(bodyObj!.properties[key]);
      const type = Array.isArray(propSchema.type) ? propSchema.type : [propSchema.type];
      const picks = new Set<keyof typeof RAW>([kinds[Math.floor(rand() * kinds.length)]!]);
      if (type.includes('number') || type.includes('integer')) picks.add(rand() < 0.5 ? 'huge' : 'int32');
      else picks.add(rand() < 0.5 ? 'nul' : 'surrogate');
      for (const k of picks) add(`body.${key}: ${k}`, url!, withRaw(base!, key, RAW[k]));
      if (type.includes('object') || !propSchema.type || /payload|graph|definition|custom|config/i.test(key)) {
        const deep = rand() < 0.5;
        add(`body.${key}: ${deep ? `nested ${DEEP} deep` : 'NUL in a key'}`, url!, withRaw(base!, key, deep ? deepJson() : '{"a\\u0000":1}'));
      }
    }
  }
  return cases;
}

// the routes that end things go last, so that the others still find their data
const LAST = (method: string, path: string) =>
  method === 'delete' || /logout|merge|archive|erase|expire|cancel|restore/.test(path) ? 1 : 0;

describe('fuzz: every route of the OpenAPI document', () => {
  it('no generated input gets a 5xx', async () => {
    const rand = prng(9);
    const ops: { method: string; path: string; op: Json }[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        // an event stream answers 200 and stays open (nothing to fuzz: no parameters, no body);
        // conversations/live.test.ts covers its authentication, scoping and clean-up
        if (op.responses?.['200']?.content?.['text/event-stream']) continue;
        ops.push({ method, path, op });
      }
    }
    ops.sort((a, b) => LAST(a.method, a.path) - LAST(b.method, b.path));
    expect(ops.length).toBeGreaterThan(80);
    const logoutUser = await t.user('agent');
    const failures: string[] = [];
    const byStatus = new Map<number, number>();
    let sent = 0;
    let engineless = 0;
    for (const { method, path, op } of ops) {
      for (const c of casesFor(method, path, op, rand)) {
        let req = (t.http as unknown as Record<string, (u: string) => any>)[c.method]!(c.url);
        if (path === '/api/auth/logout') req = req.set(logoutUser.auth);
        else if (c.auth === 'admin') req = req.set(d.admin.auth);
        else if (c.auth === 'viewer') req = req.set(d.viewer.auth);
        if (path === '/api/webhooks/sms') req = req.set('Authorization', `Bearer ${SMS_TOKEN}`);
        if (c.body !== undefined) {
          req = req.set('Content-Type', 'application/json');
          if (path === '/api/webhooks/whatsapp') req = req.set('X-Hub-Signature-256', signWhatsAppPayload(c.body, WEBHOOK_SECRET));
          req = req.send(c.body);
        }
        const res = await req;
        sent++;
        byStatus.set(res.status, (byStatus.get(res.status) ?? 0) + 1);
        // the one 5xx allowed: a run cannot start when the durable engine is not running (this
        // test app has none) — the server's state, not the request's fault
        if (res.status === 503 && res.body?.error?.code === 'engine_unavailable') engineless++;
        else if (res.status >= 500) failures.push(`${c.method.toUpperCase()} ${c.url.slice(0, 120)} [${c.label}] → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        else if (res.status === 400 && res.body?.error) {
          // a 400 says what and where: a code, and the path of the field when it is about one
          const e = res.body.error;
          if (typeof e.code !== 'string' || typeof e.message !== 'string') failures.push(`${c.url} [${c.label}] → 400 without code/message`);
          if (/^body\.\w+: (nul|surrogate)$/.test(c.label)) {
            const field = c.label.split(':')[0]!;
            if (!JSON.stringify(e).includes(field)) failures.push(`${c.method.toUpperCase()} ${c.url} [${c.label}] → 400 not naming ${field}: ${e.message}`);
          }
        }
      }
    }
    console.log(`[fuzz] ${sent} requests over ${ops.length} operations (${engineless} needed the engine); statuses:`, Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])));
    expect(sent).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 300_000);
});
