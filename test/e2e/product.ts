// Starts the product the way README says (`pnpm start`) on a fresh database and a free port,
// after building the editor bundle the server serves. E2E_BASE_URL skips all that and uses an
// already running product.
//
// The database: E2E_DATABASE_URL names an (empty) PostgreSQL one to use; otherwise, when
// DATABASE_URL is a postgres:// URL (CI's PostgreSQL pass), each product start gets its own new,
// empty database on that server (created here, dropped at stop); otherwise a fresh PGlite data folder
// (a copy of one migrated once for the run).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWhatsAppStandIn, type WhatsAppStandIn } from '@nudge/channels/standins';
import { inject } from 'vitest';
import { createTestDb, pgliteTemplateFolder, testDriver, type TestDb } from '@nudge/db/testing';
import { buildEditor } from './editor-build.js';

export { buildEditor };

export const repoRoot = resolve(import.meta.dirname, '..', '..');

export interface Product {
  baseUrl: string;
  stop(): Promise<void>;
  log(): string;
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
  });
}


async function waitForHttp(url: string, child: ChildProcess | null, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`the product exited with code ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the product did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops `pnpm start` and everything it started (the server ignores nothing, but a slow shutdown gets SIGKILL). */
async function stopGroup(pid: number | undefined, graceMs = 10_000): Promise<void> {
  if (!pid || !groupAlive(pid)) return;
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
}

/** `env` adds or overrides variables of `pnpm start` (e.g. a WhatsApp provider the test plays). */
export async function startProduct(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Product> {
  if (process.env.E2E_BASE_URL) {
    const baseUrl = process.env.E2E_BASE_URL.replace(/\/$/, '');
    await waitForHttp(`${baseUrl}/`, null, 10_000, () => '');
    return { baseUrl, stop: async () => {}, log: () => '' };
  }
  // the run's global set-up (test/e2e/global-setup.ts) built the editor once for every file
  if (!existsSync(join(repoRoot, 'apps/editor/dist/index.html')) || (process.env.E2E_BUILD !== '0' && !inject('editorBuilt'))) buildEditor();
  const port = await freePort();
  const temporalPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'nudge-e2e-'));
  let output = '';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    NUDGE_PORT: String(port),
    NUDGE_DATA_DIR: join(dataDir, 'db'),
    TEMPORAL_LITE_PORT: String(temporalPort),
    NUDGE_DEMO_CUSTOMERS: process.env.NUDGE_DEMO_CUSTOMERS ?? '300',
    NODE_ENV: 'production',
    // the bundle built above (or by CI), served as it is: several products start at once and none
    // may rebuild it under the others (main.ts rebuilds the default one when its sources are newer)
    NUDGE_EDITOR_DIST: join(repoRoot, 'apps/editor/dist'),
    // no e-mail provider and no stand-in: real sends fail ("the email channel is not set up"),
    // which is what the test needs to see failure alerts reach the flow's owner
    NUDGE_CHANNEL_STANDINS: '0',
    ...options.env,
  };
  let database: TestDb | null = null;
  if (process.env.E2E_DATABASE_URL) env.DATABASE_URL = process.env.E2E_DATABASE_URL;
  else if (testDriver() === 'postgres') {
    // an empty database of its own on DATABASE_URL's server: the product migrates it on start
    database = await createTestDb({ migrate: false });
    env.DATABASE_URL = database.url;
  } else {
    delete env.DATABASE_URL;
    // a copy of a migrated data folder made once for the run, not an initdb per product start
    // (a fresh folder's initdb and migrations are tested in packages/db/src/client.test.ts)
    if (!options.env?.NUDGE_DATA_DIR) cpSync(await pgliteTemplateFolder(), env.NUDGE_DATA_DIR!, { recursive: true });
  }
  const dropDatabase = async () => {
    await database?.cleanup();
    database = null;
  };
  delete env.TEMPORAL_ADDRESS; // and its own embedded engine
  const child = spawn('pnpm', ['start'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${baseUrl}/`, child, 180_000, () => output);
  } catch (e) {
    await stopGroup(child.pid);
    await dropDatabase();
    throw e;
  }
  const nodes = await fetch(`${baseUrl}/api/nodes`);
  if (nodes.status === 404) {
    await stopGroup(child.pid);
    await dropDatabase();
    throw new Error(`the product is up but GET /api/nodes answers ${nodes.status}: the flow API is not mounted\n${output}`);
  }
  return {
    baseUrl,
    log: () => output,
    async stop() {
      await stopGroup(child.pid);
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const shotsDir = join(repoRoot, 'test-output', 'e2e');

/** The product started as README says, with a headless Chromium page on it. */
export interface BrowserSession {
  product: Product;
  browser: Browser;
  page: Page;
  /** uncaught errors of the page, for a test to assert there were none */
  pageErrors: string[];
  /** stops the browser and the product, keeping the server log as test-output/e2e/<logName> */
  close(): Promise<void>;
}

export async function openBrowserSession(options: { logName: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; locale?: string; timezoneId?: string; pageErrors?: string[] }): Promise<BrowserSession> {
  mkdirSync(shotsDir, { recursive: true });
  const product = await startProduct(options.env ? { env: options.env } : {});
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: options.locale ?? 'en-US', ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}) });
  const pageErrors = options.pageErrors ?? [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.setDefaultTimeout(options.timeoutMs ?? 15_000);
  return {
    product,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close();
      writeFileSync(join(shotsDir, options.logName), product.log());
      await product.stop();
    },
  };
}

/** A browser session whose product sends WhatsApp to a local stand-in the test plays the customer on. */
export interface WhatsAppBrowserSession extends BrowserSession {
  /** the WhatsApp Cloud API stand-in: its signed webhooks go to the product, its `messages` are what the product sent */
  wa: WhatsAppStandIn;
}

/**
 * The set-up the inbox's browser tests share: a WhatsApp stand-in (signed webhooks with the app
 * secret `<name>-e2e-secret`, delivery-status webhooks on), the product started against it with
 * `demoConversations` demo conversations, and the stand-in's webhooks pointed at the product.
 * The server log is kept as test-output/e2e/<name>-server.log; `close()` stops all of it.
 */
export async function openWhatsAppBrowserSession(options: { name: string; demoConversations: number; pageErrors?: string[]; timeoutMs?: number; env?: NodeJS.ProcessEnv }): Promise<WhatsAppBrowserSession> {
  const wa = await startWhatsAppStandIn({ appSecret: `${options.name}-e2e-secret`, statusWebhooks: true });
  let session: BrowserSession;
  try {
    session = await openBrowserSession({
      logName: `${options.name}-server.log`,
      timeoutMs: options.timeoutMs ?? 20_000,
      ...(options.pageErrors ? { pageErrors: options.pageErrors } : {}),
      env: {
        WHATSAPP_API_URL: wa.url,
        WHATSAPP_PHONE_NUMBER_ID: wa.phoneNumberId,
        WHATSAPP_ACCESS_TOKEN: wa.accessToken,
        WHATSAPP_APP_SECRET: wa.appSecret,
        NUDGE_DEMO_CONVERSATIONS: String(options.demoConversations),
        ...options.env,
      },
    });
  } catch (e) {
    await wa.close();
    throw e;
  }
  wa.setWebhookUrl(`${session.product.baseUrl}/api/webhooks/whatsapp`);
  return {
    ...session,
    wa,
    async close() {
      await session.close();
      await wa.close();
    },
  };
}

/** Fills the sign-in form and submits it (the demo admin unless told otherwise). */
export async function signIn(page: Page, email = 'admin@nudge.local', password = 'nudge-admin'): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** One call to the product's API as JSON, with a bearer token when given: `{ status, body }`. */
export async function callApi(product: Product, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${product.baseUrl}/api${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}
