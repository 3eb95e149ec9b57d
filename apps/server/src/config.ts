/**
 * Every environment variable Nudge reads, in one registry: its name, the default, what it means
 * and the type it is parsed to (zod at the boundary). Code reads a variable only through
 * `setting(name)` (or `loadConfig()` at start-up, which validates them all at once); README.md's
 * table of variables is rendered from this registry (`pnpm docs:env`, checked by config.test.ts).
 *
 * Packages that cannot import the server get their values passed in: @nudge/db's `createDb({ url })`,
 * @nudge/channels' `channelsConfigFromEnv(channelSettings())`. Variables only tests or dev
 * tooling read are listed in TEST_ENV_VARS (they stay where they are read).
 */
import { z } from 'zod';
import type { CountryCode } from 'libphonenumber-js';

export type Env = Record<string, string | undefined>;

/** The process's environment: the only `process.env` reference outside tests and dev tooling. */
export const processEnv: Env = process.env;

interface EnvVar<S extends z.ZodType> {
  schema: S;
  /** the default as README shows it (null: unset means "off" / "not configured") */
  default: string | null;
  meaning: string;
}
const v = <S extends z.ZodType>(schema: S, def: string | null, meaning: string): EnvVar<S> => ({ schema, default: def, meaning });

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
/** `1`/`true` on, `0`/`false` off */
const flag = z.enum(['0', '1', 'true', 'false']).transform((s) => s === '1' || s === 'true');
const text = z.string();

export const ENV_VARS = {
  // the server
  PORT: v(port.optional(), '3000', 'HTTP port of the API and the editor'),
  NUDGE_PORT: v(port.optional(), null, 'HTTP port; wins over `PORT`'),
  HOST: v(text.default('127.0.0.1'), '127.0.0.1', 'address the HTTP server listens on'),
  NUDGE_EDITOR_DIST: v(text.optional(), 'apps/editor/dist', 'the built editor served on `/`; unset, `apps/editor/dist` is (re)built on start when missing or older than its sources; set, it is served as it is'),
  NUDGE_PUBLIC_URL: v(text.regex(/^https?:\/\//, 'NUDGE_PUBLIC_URL must be an http(s):// address').optional(), null, 'the address users open the editor at, for links in e-mails (invitations); unset: the address the request came to'),
  NUDGE_DEBUG: v(text.optional(), null, 'set: print the stack when start-up fails'),
  // storage
  DATABASE_URL: v(text.regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL').optional(), null, '`postgres://…`: use a PostgreSQL server instead of embedded PGlite'),
  NUDGE_DATA_DIR: v(text.default('.data/nudge'), '.data/nudge', "PGlite's data folder"),
  NUDGE_PGLITE_SHARED_BUFFERS: v(text.regex(/^\d+(kB|MB|GB)$/, 'NUDGE_PGLITE_SHARED_BUFFERS must be a size like 32MB').default('32MB'), '32MB', "PGlite's page cache (Postgres `shared_buffers`, in its WASM memory): larger keeps more of the database in the process"),
  // the durable engine
  TEMPORAL_ADDRESS: v(text.optional(), null, '`host:7233`: use a real Temporal cluster instead of temporal-lite'),
  TEMPORAL_NAMESPACE: v(text.default('default'), 'default', 'the namespace on a real cluster (it must exist)'),
  TEMPORAL_LITE_PORT: v(port.default(0), 'free port', "embedded temporal-lite's gRPC port"),
  TEMPORAL_LOG_LEVEL: v(z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'), 'WARN', "the Temporal SDK's log level"),
  NUDGE_TIME_SKIPPING: v(z.enum(['0', '1']).default('0'), '0', '`1`: temporal-lite skips time whenever nothing is pending (demos, tests)'),
  NUDGE_WORKFLOW_CACHE_MB: v(z.coerce.number().positive().optional().catch(undefined), '256 (≤ 1/8 of memory)', 'memory the flow worker may keep running flows cached in (≈ 1.4 MB each); more = fewer replays when runs wake'),
  NUDGE_WEBHOOK_ALLOW_PRIVATE: v(flag.default(false), '0', '`1`: flow webhooks may call private and loopback addresses'),
  NUDGE_DEFAULT_TIMEZONE: v(text.default('UTC'), 'UTC', 'time zone of customers without one (quiet hours, date triggers)'),
  // first run and demo data
  NUDGE_ADMIN_EMAIL: v(text.default('admin@nudge.local'), 'admin@nudge.local', 'the first-run administrator'),
  NUDGE_ADMIN_PASSWORD: v(text.default('nudge-admin'), 'nudge-admin', "the first-run administrator's password"),
  NUDGE_DEMO_DATA: v(z.enum(['0', '1']).default('1'), '1', '`0`: no demo data'),
  NUDGE_DEMO_CUSTOMERS: v(z.coerce.number().int().min(0).default(3000), '3000', 'demo customers loaded into an empty database'),
  NUDGE_DEMO_CONVERSATIONS: v(z.coerce.number().int().min(0).default(300), '300', 'demo inbox conversations (with fresh demo customers only)'),
  NUDGE_LOGIN_MAX_FAILURES: v(positiveInt.default(10), '10', 'failed logins per 15 minutes before 429'),
  // customers and import
  NUDGE_DEFAULT_REGION: v(text.regex(/^[A-Za-z]{2}$/, 'NUDGE_DEFAULT_REGION must be a two-letter country code').default('TW').transform((s) => s.toUpperCase() as CountryCode), 'TW', 'country of phone numbers given without +country code'),
  NUDGE_IMPORT_CHUNK: v(positiveInt.default(250), '250', 'customers per import transaction (other requests get the database between chunks)'),
  NUDGE_IMPORT_MAX_BYTES: v(text.default('200mb'), '200mb', 'largest CSV upload'),
  // inbox
  NUDGE_INBOX_LEASE_MS: v(positiveInt.default(30_000), '30000', 'how long an outbox worker holds a reply before another may send it'),
  NUDGE_INBOX_AUTO_RESOLVE_DAYS: v(z.coerce.number().min(0).default(7), '7', 'quiet conversations are resolved after this many days'),
  NUDGE_INBOX_SWEEP_MS: v(positiveInt.default(15_000), '15000', 'how often SLA alerts, snoozes and the backlog are swept'),
  NUDGE_ASSIGNMENT_STRATEGY: v(z.enum(['round_robin', 'load']).catch('round_robin'), 'round_robin', 'new conversations go to agents `round_robin` or by `load`'),
  // channels (each configured when its first variable is set; else a local stand-in)
  NUDGE_CHANNEL_STANDINS: v(z.enum(['0', '1']).default('1'), '1', '`0`: no local stand-ins for unconfigured channels'),
  NUDGE_SMTP_INBOX_PORT: v(port.default(0), 'free port', "the SMTP stand-in's page showing what it received (address printed at start-up)"),
  SMTP_HOST: v(text.optional(), null, 'SMTP server for e-mail (unset: the local SMTP stand-in)'),
  SMTP_PORT: v(text.optional(), '587', 'SMTP port'),
  SMTP_SECURE: v(text.optional(), '0', '`1`/`true`: TLS from the start'),
  SMTP_IGNORE_TLS: v(text.optional(), '0', '`1`/`true`: no STARTTLS'),
  SMTP_USER: v(text.optional(), null, 'SMTP login'),
  SMTP_PASS: v(text.optional(), null, 'SMTP password'),
  SMTP_FROM: v(text.optional(), null, 'sender address of e-mails'),
  WHATSAPP_PHONE_NUMBER_ID: v(text.optional(), null, 'WhatsApp Cloud API phone number id'),
  WHATSAPP_ACCESS_TOKEN: v(text.optional(), null, 'WhatsApp Cloud API token'),
  WHATSAPP_API_URL: v(text.optional(), 'https://graph.facebook.com', 'WhatsApp Cloud API base URL (unset: the local stand-in)'),
  WHATSAPP_API_VERSION: v(text.optional(), 'v21.0', 'WhatsApp Cloud API version'),
  WHATSAPP_BUSINESS_ACCOUNT_ID: v(text.optional(), null, 'WhatsApp Business Account (WABA) id: saved WhatsApp templates are submitted to its message_templates for review (unset: not submitted)'),
  WHATSAPP_APP_SECRET: v(text.optional(), null, 'checks the signature of WhatsApp webhooks (unset: they get 503)'),
  WHATSAPP_VERIFY_TOKEN: v(text.optional(), null, "answers Meta's webhook verification (unset: 503)"),
  SMS_API_URL: v(text.optional(), null, 'SMS gateway (unset: the local stand-in)'),
  SMS_API_TOKEN: v(text.optional(), null, 'SMS gateway token'),
  SMS_FROM: v(text.optional(), null, 'SMS sender'),
  SMS_WEBHOOK_TOKEN: v(text.optional(), null, 'bearer token of inbound SMS webhooks (unset: they get 503)'),
} as const;

export type EnvName = keyof typeof ENV_VARS;
export type Setting<N extends EnvName> = z.output<(typeof ENV_VARS)[N]['schema']>;

/** Read outside the server (dev tooling, tests): listed so the README names them too. */
export const TEST_ENV_VARS = {
  NUDGE_API_URL: { where: 'apps/editor/vite.config.ts', default: 'http://localhost:3000', meaning: "the API the editor's dev server proxies to" },
  NUDGE_TEST_TEMPORAL: { where: 'packages/temporal-lite/src/testing.ts', default: 'lite', meaning: 'the Temporal server tests run on: `lite`, `timeskip` (Java test server) or `dev` (`temporal server start-dev`)' },
  TEMPORAL_CLI_PATH: { where: 'packages/temporal-lite/src/testing.ts', default: 'on PATH', meaning: 'the `temporal` CLI for `NUDGE_TEST_TEMPORAL=dev`' },
  TEMPORAL_TEST_SERVER_PATH: { where: 'packages/temporal-lite/src/testing.ts', default: 'on PATH', meaning: 'the Java test server for `NUDGE_TEST_TEMPORAL=timeskip`' },
  TEMPORAL_CLI: { where: 'packages/temporal-lite/test/target.ts', default: 'pyenv path', meaning: "the `temporal` CLI of temporal-lite's own tests" },
  E2E_BASE_URL: { where: 'test/e2e/product.ts', default: null, meaning: 'browser tests drive this running product instead of starting one' },
  E2E_BUILD: { where: 'test/e2e/product.ts', default: 'build', meaning: '`0`: browser tests use the built editor as it is' },
  CHROMIUM_PATH: { where: 'test/e2e/product.ts', default: '/usr/bin/chromium', meaning: 'the browser of the browser tests' },
} as const;

const present = (env: Env) => Object.fromEntries(Object.entries(env).filter(([, x]) => x !== undefined && x !== ''));

/** One variable, parsed (unset or empty → its default). A value of the wrong shape throws, naming it. */
export function setting<N extends EnvName>(name: N, env: Env = processEnv): Setting<N> {
  const raw = env[name];
  const r = ENV_VARS[name].schema.safeParse(raw === '' ? undefined : raw);
  if (!r.success) throw new Error(`Invalid environment: ${name}: ${r.error.issues.map((i) => i.message).join('; ')}`);
  return r.data as Setting<N>;
}

const envSchema = z.object(Object.fromEntries(Object.entries(ENV_VARS).map(([k, x]) => [k, x.schema])) as { [N in EnvName]: (typeof ENV_VARS)[N]['schema'] });

export type ServerConfig = z.output<typeof envSchema> & { port: number; dbUrl: string };

/** Every variable at once, validated at start-up (main.ts): a wrong value stops the server with all problems listed. */
export function loadConfig(env: Env = processEnv): ServerConfig {
  const parsed = envSchema.safeParse(present(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`Invalid environment:\n${lines}`);
  }
  const c = parsed.data;
  return { ...c, port: c.NUDGE_PORT ?? c.PORT ?? 3000, dbUrl: c.DATABASE_URL ?? c.NUDGE_DATA_DIR };
}

/** The channel variables as @nudge/channels' `channelsConfigFromEnv` takes them. */
export function channelSettings(env: Env = processEnv): Record<string, string | undefined> {
  const names = ['SMTP_HOST', 'SMTP_PORT', 'SMTP_SECURE', 'SMTP_IGNORE_TLS', 'SMTP_USER', 'SMTP_PASS', 'SMTP_FROM', 'WHATSAPP_PHONE_NUMBER_ID', 'WHATSAPP_ACCESS_TOKEN', 'WHATSAPP_API_URL', 'WHATSAPP_API_VERSION', 'SMS_API_URL', 'SMS_API_TOKEN', 'SMS_FROM'] as const;
  return Object.fromEntries(names.map((n) => [n, setting(n, env)]));
}

/** README.md's table of variables, rendered from the registry (`pnpm docs:env` writes it). */
export function renderEnvTable(): string {
  const cell = (s: string | null) => (s === null ? '—' : s.startsWith('`') || /\s/.test(s) ? s : `\`${s}\``);
  const rows = Object.entries(ENV_VARS).map(([name, x]) => `| \`${name}\` | ${cell(x.default)} | ${x.meaning} |`);
  const testRows = Object.entries(TEST_ENV_VARS).map(([name, x]) => `| \`${name}\` | ${cell(x.default)} | ${x.meaning} (${x.where}) |`);
  return [
    '| variable | default | meaning |', '| --- | --- | --- |', ...rows,
    '', 'Read only by tests and dev tooling:', '',
    '| variable | default | meaning |', '| --- | --- | --- |', ...testRows,
  ].join('\n');
}
