/** Writes dist/manifest.json: the node manifest the server serves and the editor reads. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildManifest } from '../src/manifest.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'manifest.json');
mkdirSync(dirname(out), { recursive: true });
const manifest = buildManifest();
writeFileSync(out, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${manifest.nodes.length} nodes to ${out}`);
