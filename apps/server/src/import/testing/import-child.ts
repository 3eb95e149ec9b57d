/**
 * A child process for the crash test: opens the database at argv[2] (a PGlite folder or a
 * postgres:// URL), runs import job argv[3] and prints "chunk <done>/<total>" after every chunk
 * that committed, so that the parent can SIGKILL it in the middle of the writes.
 */
import { createDb } from '@nudge/db';
import { runImportJob } from '../service.js';

const [url, jobId] = process.argv.slice(2);
const db = await createDb({ url: url! });
await runImportJob({ db }, jobId!, null, {
  defaultRegion: 'TW',
  ownerId: null,
  onPhase: (phase) => process.stdout.write(`phase ${phase}\n`),
  onChunk: (done, total) => process.stdout.write(`chunk ${done}/${total}\n`),
});
process.stdout.write('done\n');
await db.close();
