import { readFileSync, mkdtempSync } from 'node:fs';
const { createDb, migrate } = await import('@nudge/db');
const url = process.argv[2] === 'mem' ? 'memory://' : process.argv[2] === 'disk' ? mkdtempSync('/tmp/pgm-') + '/db' : process.argv[2]!;
const db = await createDb({ url });
if (process.argv[3]) await migrate(db);
const pg = (db.db as any).$client;
const mod = pg.mod;
console.log(url, 'wasm mem', (mod.HEAPU8?.byteLength ?? mod.wasmMemory?.buffer?.byteLength) / 1048576, Object.keys(mod).filter(k=>/HEAP|mem|FS/i.test(k)).slice(0,20));
(globalThis as any).gc?.();
const m = process.memoryUsage(); console.log(Object.fromEntries(Object.entries(m).map(([k,v])=>[k,Math.round(v/1048576)])));

const lines = readFileSync('/proc/self/smaps','utf8').split('\n'); let cur='';
for (const l of lines) { if (/^[0-9a-f]+-/.test(l)) cur=l; else if (l.startsWith('Rss:')) { const kb=Number(l.split(/\s+/)[1]); if (kb>30000) { const [a,b]=cur.split(' ')[0]!.split('-'); console.log(Math.round(kb/1024),'MB rss, size', Math.round((parseInt(b!,16)-parseInt(a!,16))/1048576),'MB', cur.slice(0,60)); } } }
await db.close();
