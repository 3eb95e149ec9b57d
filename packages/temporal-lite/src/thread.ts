/**
 * temporal-lite in a worker thread of the calling process: the server (gRPC, engine, its own
 * database connection) gets its own event loop and core, so an SDK worker and client in the main
 * thread do not compete with it. Used by `startTemporalLite({ thread: true, dbUrl })`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startTemporalLite } from './index.js';

const opts = workerData as { dbUrl: string; port: number; host?: string; timeSkipping?: boolean; initialTimeLock?: boolean };
const server = await startTemporalLite({ ...opts, thread: false });
parentPort!.postMessage({ type: 'ready', address: server.address, port: server.port });
parentPort!.on('message', async (msg: { id: number; op: string; ms?: number }) => {
  try {
    let value: unknown;
    switch (msg.op) {
      case 'lock': server.lockTimeSkipping(); break;
      case 'unlock': server.unlockTimeSkipping(); break;
      case 'sleep': await server.sleep(msg.ms ?? 0); break;
      case 'now': value = server.now(); break;
      case 'stats': value = server.engine.stats; break;
      case 'stop': await server.stop(); break;
    }
    parentPort!.postMessage({ type: 'reply', id: msg.id, value });
  } catch (err) {
    parentPort!.postMessage({ type: 'reply', id: msg.id, error: (err as Error).message });
  }
});
