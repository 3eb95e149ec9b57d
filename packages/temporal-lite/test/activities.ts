import { Context, ApplicationFailure, CancelledFailure } from '@temporalio/activity';

export const calls = new Map<string, number>();
const count = (k: string) => { const n = (calls.get(k) ?? 0) + 1; calls.set(k, n); return n; };

export async function greet(name: string): Promise<string> {
  count(`greet:${name}`);
  return `Hello, ${name}!`;
}
export async function flakyActivity(key: string, failTimes: number): Promise<number> {
  const n = count(key);
  if (n <= failTimes) throw new Error(`attempt ${n} failed`);
  return Context.current().info.attempt;
}
export async function fatalActivity(): Promise<void> {
  count('fatal');
  throw ApplicationFailure.create({ message: 'do not retry', type: 'Fatal' });
}
export async function slowActivity(ms: number): Promise<string> {
  await Context.current().sleep(ms).catch(() => {});
  return 'slow done';
}
export async function heartbeatingActivity(key: string): Promise<number> {
  const ctx = Context.current();
  const start = (ctx.info.heartbeatDetails as number | undefined) ?? 0;
  const n = count(key);
  for (let i = start; i < 5; i++) {
    ctx.heartbeat(i + 1);
    if (n === 1 && i === 2) {
      // stop heartbeating: the server times this attempt out and the next one resumes from the details
      await new Promise((r) => setTimeout(r, 1500));
      return -1;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return start;
}
export async function cancellableActivity(): Promise<string> {
  const ctx = Context.current();
  for (let i = 0; i < 200; i++) {
    ctx.heartbeat(i);
    try {
      await ctx.sleep(100);
    } catch (err) {
      if (err instanceof CancelledFailure) { count('cancelled-activity'); throw err; }
      throw err;
    }
  }
  return 'never cancelled';
}

/** A step that takes a little while, so that a crash finds some of them in flight. */
export async function recordedStep(key: string): Promise<string> {
  count(key);
  await new Promise((r) => setTimeout(r, 30 + Math.random() * 70));
  return key.split(':').pop()!;
}
