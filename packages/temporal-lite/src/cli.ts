#!/usr/bin/env node
/**
 * temporal-lite CLI: `temporal-lite --port 7233 --db <folder | memory:// | postgres://…> [--time-skipping]`
 *
 * Also `temporal-lite <port> [options]`: the Java test server's convention (its port as the first
 * argument), which `TestWorkflowEnvironment.createTimeSkipping({ server: { executable:
 * { type: 'existing-path', path } } })` uses — see bin/temporal-lite-test-server.
 * A `--` in front of the options (what `pnpm start -- …` passes on) is ignored.
 */
import { parseArgs } from 'node:util';
import { startTemporalLite } from './index.js';

const usage = 'Usage: temporal-lite [<port>] [--port 7233] [--host 127.0.0.1] [--db <folder | memory:// | postgres://…>] [--time-skipping]';
let parsed: ReturnType<typeof parse>;
function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string', default: process.env.DATABASE_URL ?? '.data/temporal-lite' },
      'time-skipping': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
}
try {
  parsed = parse(process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--')));
} catch (err) {
  console.error(`temporal-lite: ${(err as Error).message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(usage);
  process.exit(0);
}
if (positionals.length > 1 || (positionals.length === 1 && values.port !== undefined)) {
  console.error(`temporal-lite: unexpected argument "${positionals.at(-1)}"\n${usage}`);
  process.exit(2);
}
const portArg = positionals[0] ?? values.port ?? '7233';
const port = Number(portArg);
if (!/^\d+$/.test(portArg) || port > 65535) {
  console.error(`temporal-lite: the port must be a number between 0 and 65535, got "${portArg}"`);
  process.exit(2);
}
const timeSkipping = values['time-skipping'];
// a time-skipping server starts with the clock held, like Temporal's Java test server
const server = await startTemporalLite({ port, host: values.host, dbUrl: values.db, timeSkipping, initialTimeLock: timeSkipping, log: (m) => console.log(m) });
console.log(`temporal-lite listening on ${server.address} (db: ${values.db})`);
const shutdown = async () => { await server.stop(); process.exit(0); };
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
