/**
 * The server dies (SIGKILL) after the inbound message and its replies were committed and before
 * anything was sent. After a restart the replies go out, each exactly once; the webhook Meta
 * redelivers meanwhile changes nothing. PGlite (a folder) or PostgreSQL (DATABASE_URL).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@nudge/db';
import { createTestDb, pgliteTemplateFolder, testDriver, type TestDb } from '@nudge/db/testing';
import { signWhatsAppPayload } from '@nudge/channels';
import { startWhatsAppStandIn, type WhatsAppStandIn } from '@nudge/channels/standins';
import { eventually, messageWebhook, multiMessageWebhook, sentTo, sleep } from './test-support.js';

const SECRET = 'crash-secret';
const serverDir = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let wa: WhatsAppStandIn;
let pgDb: TestDb | null = null;
let dbUrl: string;
let folder: string | null = null;
const children: ChildProcess[] = [];

function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/conversations/testing/crash-server.ts'], {
    cwd: serverDir,
    env: { ...process.env, NUDGE_TEST_DB: dbUrl, WA_URL: wa.url, WA_PHONE_ID: wa.phoneNumberId, WA_TOKEN: wa.accessToken, WHATSAPP_APP_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(signal ? -1 : code)));
  return new Promise((resolveStart, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolveStart({ child, url: `http://127.0.0.1:${m[1]}`, exited });
    });
    child.on('exit', () => reject(new Error(`server exited before listening: ${out}`)));
  });
}

async function post(url: string, body: unknown) {
  const raw = JSON.stringify(body);
  try {
    const res = await fetch(`${url}/api/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(raw, SECRET) }, body: raw });
    return res.status;
  } catch {
    return null; // the server died while answering
  }
}

/** Between the two processes: the pending rows still leased for more than 5 minutes */
async function leftLeased(): Promise<number> {
  const db = await createDb({ url: dbUrl, autoAnalyzeMs: 0 });
  try {
    const [row] = await db.sql.query<{ n: number }>(`select count(*)::int as n from conversation_outbox where state = 'pending' and locked_until > now() + interval '5 minutes'`);
    return Number(row?.n ?? 0);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  wa = await startWhatsAppStandIn({ appSecret: SECRET, statusWebhooks: false });
  if (testDriver() === 'postgres') {
    pgDb = await createTestDb();
    dbUrl = pgDb.url;
  } else {
    folder = mkdtempSync(join(tmpdir(), 'nudge-inbox-crash-'));
    // a copy of a migrated data folder, not an initdb in the child (packages/db/src/testing.ts)
    dbUrl = join(folder, 'db');
    cpSync(await pgliteTemplateFolder(), dbUrl, { recursive: true });
  }
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await wa?.close();
  await pgDb?.cleanup();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('server killed between receiving and sending', () => {
  it('sends each reply once after the restart', async () => {
    const from = '886912777001';
    const webhook = messageWebhook(from, '請問價格', 'wamid.crash-1');
    // a lease of 10 minutes does not hold the replies back. PGlite: one process owns the data
    // folder, so the restarted server releases the dead one's leases at once. PostgreSQL: the
    // dead drainer's session lock went with its connection, so its leases are claimed at once
    // (a live one's would be left alone: the next test).
    const first = await startServer({ SEED: '1', CRASH_BEFORE_SEND: '1', LEASE_MS: '600000' });
    await post(first.url, webhook);
    expect(await first.exited).toBe(-1); // SIGKILLed by its own outbox, before the send
    expect(sentTo(wa, from)).toHaveLength(0);
    expect(await leftLeased()).toBeGreaterThan(0); // the welcome and the reply, leased by the dead process

    const second = await startServer({});
    await post(second.url, webhook); // Meta redelivers: stored once, nothing new queued
    const bodies = await eventually(async () => { const b = sentTo(wa, from); return b.length >= 2 && b; }, 'the welcome and the price reply', 60_000);
    await sleep(2000); // leases of 1 s: any second send would have happened by now
    expect(sentTo(wa, from)).toHaveLength(2);
    expect(bodies).toEqual(expect.arrayContaining([expect.stringMatching(/價格範圍/), expect.stringMatching(/歡迎/)]));
    second.child.kill('SIGTERM');
    await second.exited;
  }, 240_000);

  it('killed inside a transaction shared by several messages (group commit): none was answered 200, each gets its replies once after Meta redelivers', async () => {
    const senders = Array.from({ length: 6 }, (_, i) => `88691277710${i}`);
    // three in one payload (always one shared transaction), three more posted beside it
    const hooks = [
      multiMessageWebhook(senders.slice(0, 3).map((from) => ({ from, text: 'price?', id: `wamid.crash-batch-${from}` }))),
      ...senders.slice(3).map((from) => messageWebhook(from, 'price?', `wamid.crash-batch-${from}`)),
    ];
    const first = await startServer({ CRASH_IN_BATCH: '1' });
    const statuses = await Promise.all(hooks.map((h) => post(first.url, h)));
    const died = await Promise.race([first.exited, sleep(60_000).then(() => 'alive' as const)]);
    expect(died).toBe(-1); // SIGKILLed in a shared transaction
    expect(statuses[0]).toBeNull(); // the payload whose messages were in it was never answered: Meta sends it again

    const second = await startServer({});
    expect((await Promise.all(hooks.map((h) => post(second.url, h)))).every((s) => s === 200)).toBe(true);
    for (const from of senders) await eventually(async () => sentTo(wa, from).length >= 2, `the replies to ${from}`, 60_000);
    await sleep(2000); // leases of 1 s: any second send would have happened by now
    for (const from of senders) expect(sentTo(wa, from)).toHaveLength(2);
    second.child.kill('SIGTERM');
    await second.exited;
  }, 240_000);
});
