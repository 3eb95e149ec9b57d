/**
 * `pnpm start`: the whole product on one machine — database (embedded PGlite unless DATABASE_URL),
 * migrations, first-run admin and demo data, the durable engine (temporal-lite unless
 * TEMPORAL_ADDRESS), the flow worker, the HTTP API and the built editor on one port.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createDb, migrate } from '@nudge/db';
import { createApp } from './app.js';
import { loadConfig, processEnv, setting } from './config.js';
import type { AppContext } from './context.js';
import { prepareCustomerData } from './demo/startup.js';
import { startTemporalEngine } from './engine/temporal.js';
import { startChannelStandInsIfUnconfigured } from './engine/channel-standins.js';
import { startFlowRuntime } from './flows/runtime/worker.js';
import { startFailureAlerts } from './flows/api/alerts.js';
import { recoverInterruptedImports } from './import/service.js';
import { startCustomerJobs } from './tags/jobs.js';
import { startInbox } from './conversations/index.js';
import { editorBundleState } from './editor-bundle.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');

async function main() {
  const config = loadConfig();
  const t0 = Date.now();
  if (!config.DATABASE_URL) mkdirSync(dirname(resolve(config.dbUrl)), { recursive: true });
  const db = await createDb({ url: config.dbUrl, sharedBuffers: config.NUDGE_PGLITE_SHARED_BUFFERS });
  console.log(`[nudge] database: ${db.driver} (${db.location})`);
  await migrate(db);
  const prepared = await prepareCustomerData(db);
  if (prepared.demo?.customers) console.log(`[nudge] demo data: ${prepared.demo.customers} customers`);

  const temporal = await startTemporalEngine({
    db, port: config.TEMPORAL_LITE_PORT, timeSkipping: config.NUDGE_TIME_SKIPPING === '1',
    log: (m) => console.log(`[temporal-lite] ${m}`),
  });
  console.log(`[nudge] durable engine: ${temporal.lite ? 'temporal-lite (embedded)' : 'Temporal cluster'} at ${temporal.address}`);

  const ctx: AppContext = { db, temporal };
  const standIns = await startChannelStandInsIfUnconfigured(processEnv, `http://${config.HOST}:${config.port}/api/webhooks/whatsapp`);
  if (standIns.started.length) console.log(`[nudge] no provider configured for ${standIns.started.join(', ')}: using the local stand-in (messages are kept, not delivered)`);
  const runtime = await startFlowRuntime(ctx); // the Temporal worker, event triggers and sweeps
  ctx.flows = runtime;
  ctx.channels = runtime.channels; // invitation e-mails go through the same ledger
  // Imports cut off by a crash: failed if nothing was written yet, else resumed (after the flow
  // runtime is listening, so the customers they create still reach its triggers).
  const recovered = await recoverInterruptedImports(ctx);
  if (recovered.failedJobs) console.log(`[nudge] ${recovered.failedJobs} interrupted import(s) marked failed; none of their rows were written`);
  if (recovered.resumedJobs.length) console.log(`[nudge] resuming ${recovered.resumedJobs.length} import(s) interrupted while writing`);
  const stopAlerts = startFailureAlerts(ctx); // failed runs → an alert for the flow's owner, every 15 s
  const customerJobs = startCustomerJobs(ctx); // tag expiry + reminders, every minute
  const inbox = startInbox(ctx, runtime.channels); // auto-replies and replies (outbox), SLA alerts, snoozes, backlog

  const app = createApp(ctx);
  // NUDGE_EDITOR_DIST: a bundle someone else built, served as it is; else ours, (re)built as needed
  const dist = config.NUDGE_EDITOR_DIST ? resolve(config.NUDGE_EDITOR_DIST) : resolve(repoRoot, 'apps/editor/dist');
  if (!config.NUDGE_EDITOR_DIST) ensureEditorBuilt();
  else if (!existsSync(resolve(dist, 'index.html'))) throw new Error(`NUDGE_EDITOR_DIST=${config.NUDGE_EDITOR_DIST}: no index.html there (build the editor with \`pnpm --filter @nudge/editor build\`, or unset it)`);
  app.use(express.static(dist, { index: 'index.html', maxAge: '1h' }));
  app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(resolve(dist, 'index.html')));

  const server = app.listen(config.port, config.HOST, () => {
    console.log(`[nudge] ready in ${((Date.now() - t0) / 1000).toFixed(1)} s — open http://${config.HOST}:${config.port} (admin@nudge.local / nudge-admin)`);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[nudge] ${signal}: stopping`);
    server.close();
    // never hang on the way out: a worker waiting on a long activity must not keep the process
    setTimeout(() => { console.error('[nudge] shutdown took over 15 s: exiting'); process.exit(1); }, 15_000).unref();
    stopAlerts();
    await customerJobs.stop().catch((e: unknown) => console.error(e));
    await inbox.stop().catch((e: unknown) => console.error(e));
    await runtime.stop().catch((e: unknown) => console.error(e));
    await temporal.stop().catch((e: unknown) => console.error(e));
    await standIns.stop();
    await db.close().catch((e: unknown) => console.error(e));
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

function ensureEditorBuilt() {
  const bundle = editorBundleState(repoRoot);
  if (bundle.state === 'fresh') return;
  // missing on a first start; stale after a pull or an edit changed the editor or a package it bundles
  console.log(bundle.state === 'missing'
    ? '[nudge] building the editor (first start)…'
    : `[nudge] rebuilding the editor: ${relative(repoRoot, bundle.newerFile)} is newer than the built one…`);
  const r = spawnSync('pnpm', ['--filter', '@nudge/editor', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('Building the editor failed: run `pnpm --filter @nudge/editor build` to see why.');
}

main().catch((err) => {
  console.error(`[nudge] failed to start: ${err instanceof Error ? err.message : String(err)}`);
  if (setting('NUDGE_DEBUG')) console.error(err);
  process.exit(1);
});
