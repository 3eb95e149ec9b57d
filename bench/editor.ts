/**
 * Editor benchmark (headless Debian chromium through playwright-core):
 *  - first load of the built bundle (apps/editor/dist): cold navigation → app shell drawn, 5 runs;
 *  - opening a 300-node flow: navigation → all nodes drawn;
 *  - frame times while panning the canvas and while dragging a node of that flow, measured with
 *    requestAnimationFrame in the page (median fps, p95 frame time). Target: median ≥ 50 fps.
 * The API is a stand-in served here (manifest from packages/workflow-nodes, a generated 300-node
 * graph), so the figures are the editor's own, not the server's.
 *   pnpm bench editor [--no-build] [--nodes 300]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'apps/editor/dist');
const args = process.argv.slice(2);
const nodeCount = Number(args[args.indexOf('--nodes') + 1] ?? 300) || 300;

function run(cmd: string, cmdArgs: string[]) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}
if (!args.includes('--no-build') || !existsSync(join(dist, 'index.html'))) run('pnpm', ['--filter', '@nudge/editor', 'build']);
const manifestFile = join(root, 'packages/workflow-nodes/dist/manifest.json');
if (!existsSync(manifestFile)) run('pnpm', ['--filter', '@nudge/workflow-nodes', 'build']);
const manifest = readFileSync(manifestFile, 'utf8');

/** A realistic large flow: chains of send → wait-for-reply → branch, laid out on a grid. */
function bigGraph(n: number) {
  const types = ['action.send_message@1', 'control.wait_for_event@1', 'action.add_tag@1', 'condition.if_else@1', 'action.create_task@1', 'control.wait@1'];
  const ports: Record<string, string[]> = { 'control.wait_for_event@1': ['replied', 'timeout'], 'condition.if_else@1': ['true', 'false'] };
  const nodes = [{ id: 'n0', type: 'nudge', position: { x: 0, y: 0 }, data: { nodeType: 'trigger.segment_entry@1', config: { segmentId: 's1' } } }];
  const edges: { id: string; source: string; sourceHandle: string; target: string; targetHandle: string }[] = [];
  for (let i = 1; i < n; i++) {
    const nodeType = types[i % types.length]!;
    nodes.push({ id: `n${i}`, type: 'nudge', position: { x: (i % 20) * 300, y: Math.floor(i / 20) * 160 }, data: { nodeType, config: {} } as never });
    const parent = i === 1 ? 0 : Math.floor((i - 1) / 1.5);
    const parentType = nodes[parent]!.data.nodeType;
    const parentPorts = ports[parentType] ?? ['next'];
    const used = edges.filter((e) => e.source === `n${parent}`).map((e) => e.sourceHandle);
    const port = parentPorts.find((p) => !used.includes(p));
    if (port) edges.push({ id: `e${i}`, source: `n${parent}`, sourceHandle: port, target: `n${i}`, targetHandle: 'in' });
  }
  return { nodes, edges };
}
const graph = bigGraph(nodeCount);

const mime: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
function json(res: ServerResponse, body: unknown, status = 200) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const p = url.pathname;
  if (p === '/api/nodes') return json(res, manifest);
  if (p === '/api/flows/bench' && req.method === 'GET') return json(res, { id: 'bench', name: `${nodeCount}-node flow`, status: 'draft', graph });
  if (p === '/api/flows/bench/validate') return json(res, { problems: [] });
  if (p === '/api/flows') return json(res, { items: [{ id: 'bench', name: `${nodeCount}-node flow`, status: 'draft' }] });
  if (p.startsWith('/api/flows/bench')) return json(res, {});
  if (p.startsWith('/api/')) return json(res, { items: [] });
  const file = join(dist, p === '/' ? 'index.html' : p);
  if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) return json(res, { error: { code: 'not_found', message: p } }, 404);
  res.writeHead(200, { 'content-type': mime[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(readFileSync(file));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const session = `localStorage.setItem('nudge.token', 'bench'); localStorage.setItem('nudge.user', JSON.stringify({ id: '1', name: 'Bench', email: 'b@x', role: 'admin' })); localStorage.setItem('nudge.lang', 'en');`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

// ---- bundle size and first load -----------------------------------------------------------------
const assets = readdirSync(join(dist, 'assets'));
const size = (filter: (f: string) => boolean) => assets.filter(filter).reduce((s, f) => s + statSync(join(dist, 'assets', f)).size, 0);
const gz = (filter: (f: string) => boolean) => assets.filter(filter).reduce((s, f) => s + gzipSync(readFileSync(join(dist, 'assets', f))).length, 0);
const entry = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = (f: string) => entry.includes(f);

const loads: number[] = [];
const editorLoads: number[] = [];
for (let i = 0; i < 5; i++) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await ctx.addInitScript(session);
  const page = await ctx.newPage();
  const t0 = Date.now();
  await page.goto(`${base}/#/flows`);
  await page.waitForSelector('.topbar nav a');
  await page.waitForSelector('.table, .empty-state');
  loads.push(Date.now() - t0);
  const t1 = Date.now();
  await page.goto(`${base}/#/flows/bench`);
  await page.waitForFunction(`document.querySelectorAll('.react-flow__node').length >= ${nodeCount}`, undefined, { timeout: 60_000 });
  editorLoads.push(Date.now() - t1);
  await ctx.close();
}

// ---- frame times ---------------------------------------------------------------------------------
async function frames(page: Page, action: () => Promise<void>): Promise<number[]> {
  // plain strings: tsx would wrap functions with a __name helper the page does not have
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__stop = false;
    const tick = (t) => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  await action();
  const stamps = (await page.evaluate('(() => { window.__stop = true; return window.__frames; })()')) as number[];
  return stamps.slice(1).map((t, i) => t - stamps[i]!).slice(2);
}

const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
await ctx.addInitScript(session);
const page = await ctx.newPage();
await page.goto(`${base}/#/flows/bench`);
await page.waitForFunction(`document.querySelectorAll('.react-flow__node').length >= ${nodeCount}`, undefined, { timeout: 60_000 });
await page.waitForTimeout(500);
const pane = (await page.locator('.react-flow__pane').boundingBox())!;
const cx = pane.x + pane.width / 2;
const cy = pane.y + pane.height / 2;

async function pan(steps: number) {
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < steps; i++) {
    const a = (i / steps) * Math.PI * 4;
    await page.mouse.move(cx + Math.cos(a) * 200, cy + Math.sin(a) * 120);
  }
  await page.mouse.up();
}
// panning with the whole flow in view (every node drawn) and zoomed in at 100 %
const panAll = await frames(page, () => pan(240));
const visibleAll = await page.locator('.react-flow__node').count();
await page.locator('.react-flow__controls-zoomin').click();
await page.locator('.react-flow__controls-zoomin').click();
await page.locator('.react-flow__controls-zoomin').click();
await page.waitForTimeout(300);
const panZoomed = await frames(page, () => pan(240));

// dragging one node around
const node = page.locator('.react-flow__node').first();
const box = (await node.boundingBox())!;
const drag = await frames(page, async () => {
  await page.mouse.move(box.x + 40, box.y + 15);
  await page.mouse.down();
  for (let i = 0; i < 240; i++) {
    const a = (i / 240) * Math.PI * 4;
    await page.mouse.move(box.x + 40 + Math.cos(a) * 180, box.y + 15 + Math.sin(a) * 100);
  }
  await page.mouse.up();
});

await browser.close();
server.close();

const fps = (xs: number[]) => 1000 / median(xs);
const line = (name: string, xs: number[]) =>
  `${name.padEnd(34)} median ${fps(xs).toFixed(1).padStart(5)} fps · frame p50 ${median(xs).toFixed(1)} ms · p95 ${pct(xs, 0.95).toFixed(1)} ms · ${xs.length} frames`;
console.log(`Editor benchmark — ${nodeCount}-node flow, headless chromium, ${new Date().toISOString()}`);
console.log(`bundle: ${(size(() => true) / 1024).toFixed(0)} KiB raw, ${(gz(() => true) / 1024).toFixed(0)} KiB gzip in all; loaded at start: ${(gz(initial) / 1024).toFixed(0)} KiB gzip (${(size(initial) / 1024).toFixed(0)} KiB raw), the rest lazily per screen`);
console.log(`first load (cold, app shell + flow list): median ${median(loads)} ms  [${loads.join(', ')}]`);
console.log(`open the ${nodeCount}-node flow (all nodes drawn):  median ${median(editorLoads)} ms  [${editorLoads.join(', ')}]`);
console.log(line(`pan, whole flow in view (${visibleAll} nodes)`, panAll));
console.log(line('pan, zoomed in', panZoomed));
console.log(line('drag a node', drag));
const worst = Math.min(fps(panAll), fps(panZoomed), fps(drag));
console.log(`target ≥ 50 fps median: ${worst >= 50 ? 'met' : 'NOT met'} (lowest ${worst.toFixed(1)} fps)`);
