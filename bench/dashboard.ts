import { BenchUsageError, fmtInt, machineLine, percentile, sleep } from './lib/common.ts';
import { api, launch, newPage, signIn, startServer } from '../packages/web/test/e2e/server.ts';

/**
 * `npm run bench -- dashboard [--minutes N] [--rate R]`: the live feed in Chromium while
 * activities arrive at R/s (default 500) for N minutes (default 10) through /ingest.
 * Prints frame time p50/p95/max (from requestAnimationFrame), the JS heap at the start and
 * end, the DOM node count and how many activities the feed received.
 */
export async function main(): Promise<void> {
  const args = process.argv.slice(3);
  const valueOf = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const minutes = Number(valueOf('--minutes') ?? 10);
  const rate = Number(valueOf('--rate') ?? 500);
  if (!(minutes > 0) || !(rate > 0)) throw new BenchUsageError('--minutes and --rate must be positive numbers');
  console.log(`dashboard: ${rate}/s for ${minutes} min; ${machineLine()}`);

  const server = await startServer('pglite');
  const browser = await launch();
  try {
    const { page } = await newPage(browser);
    await signIn(page, server, server.admin, '/activity');
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
    // A string, not a function: the TypeScript loader would wrap a function in helpers the page lacks.
    await page.evaluate(`window.__frames = []; let last = performance.now();
      const tick = (now) => { window.__frames.push(now - last); last = now; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const taskSeconds = async () => ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0);
    const busyStart = await taskSeconds();
    const wallStart = Date.now();
    const heap = () => page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    const heapStart = await heap();
    const batchesPerSecond = 10;
    const perBatch = Math.max(1, Math.round(rate / batchesPerSecond));
    const end = Date.now() + minutes * 60_000;
    let sent = 0;
    let n = 0;
    const heapSamples: number[] = [];
    while (Date.now() < end) {
      const tickStart = Date.now();
      const items = Array.from({ length: perBatch }, () => ({
        type: 'activity.create', id: `b-${n++}`,
        body: { action_name: 'bench', target_name: `file-${n % 97}.ts`, status: n % 13 ? 'success' : 'failed', duration_ms: n % 500, data: { n, files: [{ path: 'a.ts', lines: n % 50 }] } },
      }));
      await api(server, 'POST', '/ingest', { items });
      sent += perBatch;
      if (n % (perBatch * batchesPerSecond * 30) < perBatch) heapSamples.push(await heap());
      await sleep(Math.max(0, 1000 / batchesPerSecond - (Date.now() - tickStart)));
    }
    await sleep(1000);
    const frames = await page.evaluate(() => (window as unknown as { __frames: number[] }).__frames.slice(5));
    const nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const shown = await page.evaluate(() => document.querySelector('[role="feed"] [aria-setsize]')?.getAttribute('aria-setsize'));
    const heapEnd = await heap();
    const busy = (await taskSeconds()) - busyStart;
    const wall = (Date.now() - wallStart) / 1000;
    console.log(`activities sent ${fmtInt(sent)} (${fmtInt(Math.round(sent / (minutes * 60)))}/s); feed holds ${shown ?? '?'} (bounded)`);
    console.log(`frame time p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms over ${fmtInt(frames.length)} frames`);
    console.log(`JS heap start ${(heapStart / 1048576).toFixed(1)} MB, end ${(heapEnd / 1048576).toFixed(1)} MB; samples every 30 s: ${heapSamples.map((h) => (h / 1048576).toFixed(1)).join(', ')} MB`);
    console.log(`page main thread busy ${(100 * busy / wall).toFixed(1)}% of the time (${busy.toFixed(1)} s of ${wall.toFixed(0)} s); DOM nodes at the end: ${fmtInt(nodes)}`);
  } finally {
    await browser.close();
    await server.close();
  }
}
