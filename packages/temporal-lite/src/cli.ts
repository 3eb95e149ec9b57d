#!/usr/bin/env node
/** temporal-lite CLI: `temporal-lite --port 7233 --db <folder | memory:// | postgres://…> [--time-skipping]` */
import { parseArgs } from 'node:util';
import { startTemporalLite } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '7233' },
    host: { type: 'string', default: '127.0.0.1' },
    db: { type: 'string', default: process.env.DATABASE_URL ?? '.data/temporal-lite' },
    'time-skipping': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log('Usage: temporal-lite [--port 7233] [--host 127.0.0.1] [--db <folder | memory:// | postgres://…>] [--time-skipping]');
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`temporal-lite: --port must be a number between 0 and 65535, got "${values.port}"`);
  process.exit(2);
}
const server = await startTemporalLite({ port, host: values.host, dbUrl: values.db, timeSkipping: values['time-skipping'], log: (m) => console.log(m) });
console.log(`temporal-lite listening on ${server.address} (db: ${values.db})`);
const shutdown = async () => { await server.stop(); process.exit(0); };
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
