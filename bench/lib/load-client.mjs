/**
 * The load generator of bench/webhook.ts, in a process of its own (so the server's CPU figure is
 * the server's alone, as n8n's is in bench/n8n.ts). Forked with IPC; each message
 * `{ base, hookId, tag, n, concurrency, rate }` posts n requests to POST /api/hooks/<hookId> —
 * `concurrency` in flight (closed loop), or with `rate` > 0 request i leaving at i / rate s (open
 * loop) — each a new customer with an Idempotency-Key, and answers
 * `{ sent: [[runId, sentAtEpochMs, answeredMs], …], refused, cpuMs }` (cpuMs: this process's CPU
 * over the batch, for the record). Plain JavaScript: no tsx loader in the client's CPU.
 */
const post = async (base, hookId, key, i) => {
  const t = performance.now();
  const sentAt = Date.now();
  const res = await fetch(`${base}/api/hooks/${hookId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `${key}-${i}` },
    body: JSON.stringify({ email: `${key}-${i}@example.com`, name: `Bench ${i}` }),
  });
  const body = await res.json();
  return res.status === 202 && body.runId ? [body.runId, sentAt, performance.now() - t] : null;
};

process.on('message', async ({ base, hookId, tag, n, concurrency, rate }) => {
  const cpu0 = process.cpuUsage();
  const sent = [];
  let refused = 0;
  const one = async (i) => {
    try {
      const r = await post(base, hookId, tag, i);
      if (r) sent.push(r);
      else refused++;
    } catch {
      refused++;
    }
  };
  if (rate > 0) {
    const t0 = performance.now();
    const pending = [];
    for (let i = 0; i < n; i++) {
      const wait = t0 + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(i));
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }));
  }
  const cpu = process.cpuUsage(cpu0);
  process.send({ sent, refused, cpuMs: (cpu.user + cpu.system) / 1000 });
});
process.send({ ready: true });
