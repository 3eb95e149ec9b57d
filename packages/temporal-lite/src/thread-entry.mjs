// Worker-thread entry: a worker thread starts with a fresh module loader, so TypeScript is
// loaded through tsx here.
import { register } from 'tsx/esm/api';
register();
await import('./thread.ts');
