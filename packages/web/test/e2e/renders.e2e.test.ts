import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { BACKENDS } from '../../../server/test/helpers.ts';
import { startRenderWorker, type RenderWorker } from '../../../server/src/jobs/render-activities.ts';
import { createLogger } from '../../../server/src/logger.ts';
import { api, launch, newPage, signIn, startServer, type DashboardServer } from './server.ts';

/**
 * Issue 11 item 4 in Chromium: payloads posted through the API, rendered by the built-in
 * analyzer (no render is written by the test), drawn on the live activity page.
 */

/** Payloads the built-in analyzer renders as each strategy (the test checks it did). */
const PAYLOADS: Record<string, Record<string, unknown>> = {
  table: { files: [{ path: 'src/app.ts', lines: 142, status: 'modified' }, { path: '<script>window.__pwned=1;alert(1)</script>', lines: 1, status: 'added' }, { path: '<img src=x onerror="window.__pwned=1;alert(2)">', lines: 2, status: 'added' }] },
  key_value: { host: 'api-1', region: 'eu-west-1', healthy: true },
  timeline: { events: [{ at: '2026-01-01T10:00:00Z', step: 'build' }, { at: '2026-01-01T10:02:30Z', step: 'test' }, { at: '2026-01-01T10:05:00Z', step: 'deploy' }] },
  metric: { latency_ms: 182, error_rate: 0.012, requests: 48210 },
  chart: { latencies: [12, 15, 11, 30, 22] },
  code: { language: 'typescript', code: 'export function add(a: number, b: number) {\n  // sums two numbers\n  return a + b;\n}' },
  diff: { before: 'const a = 1;\nconst b = 2;\n', after: 'const a = 1;\nconst b = 3;\n' },
  markdown: { summary: '# Release notes\n\n- **Faster** feed\n- [Docs](https://example.com/docs)\n\n<script>window.__pwned=1;alert(3)</script>\n<img src=x onerror="window.__pwned=1;alert(4)">' },
  list: { tags: ['alpha', 'beta', 'gamma'] },
  json: { a: { b: { c: [1, { d: 'deep-value' }] } }, e: [{ f: 1 }, 'g', 3], h: { i: {} } },
};

const FINAL = new Set(['COMPLETED', 'FAILED', 'SKIPPED']);

/** Polls the processing route until the activity's render is final. */
async function settled(server: DashboardServer, id: string): Promise<string> {
  for (;;) {
    const { processing_status: status } = await api(server, 'GET', `/activities/${encodeURIComponent(id)}/processing`);
    if (FINAL.has(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Opens a feed row by its action name and returns its drawn payload. */
async function expand(page: Page, action: string): Promise<{ row: Locator; payload: Locator }> {
  const line = page.getByRole('button', { name: new RegExp(`\\b${action}\\b`) });
  const row = page.locator('.feed-row').filter({ has: line });
  if ((await line.getAttribute('aria-expanded')) !== 'true') await line.click();
  const payload = row.getByRole('region', { name: 'payload' });
  await payload.waitFor();
  return { row, payload };
}

async function collapse(page: Page, action: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(`\\b${action}\\b`) }).click();
}

describe.each(BACKENDS)('activity renders in Chromium (%s)', (backend) => {
  let server: DashboardServer;
  let browser: Browser;
  let worker: RenderWorker | null = null;
  /** The server's own render worker, started here so one test can hold activities PENDING. */
  const startWorker = () => {
    worker = startRenderWorker({
      db: server.db, bus: server.services.bus, logger: createLogger('silent'),
      ...server.rendering, settings: { ...server.rendering.settings, workers: 1, pollMs: 200 },
    });
  };
  const stopWorker = async () => {
    await worker?.stop();
    worker = null;
  };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(backend, { rendering: { workers: 0 } }), launch()]);
  });
  afterAll(async () => {
    await stopWorker();
    await browser?.close();
    await server?.close();
  });

  it('draws each strategy as issue 11 describes, and no payload string runs', async () => {
    startWorker();
    const ids: Record<string, string> = {};
    for (const [strategy, data] of Object.entries(PAYLOADS)) {
      const created = await api(server, 'POST', '/activities', { type: 'render', action_name: `show-${strategy}`, target_name: strategy, status: 'success', source: 'sdk', data });
      ids[strategy] = created.id;
    }
    for (const [strategy, id] of Object.entries(ids)) {
      expect(await settled(server, id)).toBe('COMPLETED');
      expect((await api(server, 'GET', `/activities/${id}/render`)).strategy).toBe(strategy);
    }

    const { page, context, errors } = await newPage(browser);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => { dialogs.push(dialog.message()); void dialog.dismiss(); });
    await signIn(page, server, server.admin, '/activity?type=render');
    await page.getByRole('button', { name: /show-json/ }).waitFor();

    // table: an HTML table, the field labels as headers; script-like cells are text.
    let { payload } = await expand(page, 'show-table');
    const table = payload.getByRole('table');
    for (const header of ['Path', 'Lines', 'Status']) await table.getByRole('columnheader', { name: header }).waitFor();
    await table.getByRole('cell', { name: 'src/app.ts' }).waitFor();
    await table.getByRole('cell', { name: '<script>window.__pwned=1;alert(1)</script>' }).waitFor();
    await table.getByRole('cell', { name: '<img src=x onerror="window.__pwned=1;alert(2)">' }).waitFor();
    expect(await payload.locator('img, script').count()).toBe(0);
    await collapse(page, 'show-table');

    // key_value: a description list of label → value.
    ({ payload } = await expand(page, 'show-key_value'));
    const dl = payload.locator('dl');
    expect(await dl.locator('dt').allInnerTexts()).toEqual(expect.arrayContaining(['Host', 'Region', 'Healthy']));
    await dl.getByRole('definition').filter({ hasText: 'eu-west-1' }).waitFor();
    await collapse(page, 'show-key_value');

    // timeline: an ordered list of events with their times, in time order.
    ({ payload } = await expand(page, 'show-timeline'));
    const events = payload.locator('ol > li');
    expect(await events.count()).toBe(3);
    expect(await payload.locator('ol > li time').evaluateAll((times) => times.map((t) => t.getAttribute('datetime')))).toEqual(['2026-01-01T10:00:00Z', '2026-01-01T10:02:30Z', '2026-01-01T10:05:00Z']);
    expect(await events.allInnerTexts()).toEqual([expect.stringContaining('build'), expect.stringContaining('test'), expect.stringContaining('deploy')]);
    await collapse(page, 'show-timeline');

    // metric: figures with labels and units.
    ({ payload } = await expand(page, 'show-metric'));
    const figures = payload.getByRole('listitem');
    expect(await figures.count()).toBe(3);
    await figures.filter({ hasText: '182 ms' }).filter({ hasText: 'Latency' }).waitFor();
    await figures.filter({ hasText: '1.2%' }).filter({ hasText: 'Error rate' }).waitFor();
    await figures.filter({ hasText: '48,210' }).filter({ hasText: 'Requests' }).waitFor();
    await collapse(page, 'show-metric');

    // chart: a uPlot canvas, with its numbers in words beside it.
    ({ payload } = await expand(page, 'show-chart'));
    await payload.getByRole('img', { name: /5 points from 11 to 30/ }).locator('canvas').first().waitFor();
    await payload.getByText(/5 points, min 11, max 30, last 22/).waitFor();
    await collapse(page, 'show-chart');

    // code: monospace and highlighted (tokens as spans, text only).
    ({ payload } = await expand(page, 'show-code'));
    const code = payload.locator('pre code');
    await code.getByText('return a + b;', { exact: false }).waitFor();
    expect(await code.evaluate((el) => getComputedStyle(el).fontFamily)).toMatch(/mono|courier|consolas|menlo/i);
    expect(await code.locator('span[class^="tok-"]').count()).toBeGreaterThan(0);
    await payload.getByText('typescript').waitFor();
    await collapse(page, 'show-code');

    // diff: removed and added lines marked (sign and label), unchanged lines plain.
    ({ payload } = await expand(page, 'show-diff'));
    const diff = payload.getByLabel('diff');
    await diff.locator('div', { has: page.getByLabel('removed') }).filter({ hasText: 'const b = 2;' }).waitFor();
    await diff.locator('div', { has: page.getByLabel('added') }).filter({ hasText: 'const b = 3;' }).waitFor();
    expect(await diff.locator('div', { has: page.getByLabel(/added|removed/) }).count()).toBe(2);
    await collapse(page, 'show-diff');

    // markdown: rendered elements; the raw HTML in it is shown as text, never inserted.
    ({ payload } = await expand(page, 'show-markdown'));
    await payload.getByRole('heading', { name: 'Release notes' }).waitFor();
    await payload.locator('strong', { hasText: 'Faster' }).waitFor();
    expect(await payload.getByRole('link', { name: 'Docs' }).getAttribute('href')).toBe('https://example.com/docs');
    await payload.getByText('<script>window.__pwned=1;alert(3)</script>', { exact: false }).waitFor();
    expect(await payload.locator('img, script').count()).toBe(0);
    await collapse(page, 'show-markdown');

    // list: one item per value.
    ({ payload } = await expand(page, 'show-list'));
    expect(await payload.getByRole('list').getByRole('listitem').allInnerTexts()).toEqual(['alpha', 'beta', 'gamma']);
    await collapse(page, 'show-list');

    // json: a collapsible tree; deep levels start closed and open on a click.
    ({ payload } = await expand(page, 'show-json'));
    const summaryOf = (key: string) => payload.locator('summary', { hasText: new RegExp(`^${key}:`) });
    const b = summaryOf('b').locator('..');
    expect(await b.evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    expect(await summaryOf('c').isVisible()).toBe(false);
    await summaryOf('b').click();
    await summaryOf('c').click();
    await summaryOf('1').click();
    await payload.getByText('"deep-value"').waitFor();
    // The raw JSON is one click away from any render.
    await payload.getByRole('button', { name: 'Raw JSON' }).click();
    await payload.getByRole('button', { name: 'Rendered view' }).waitFor();
    await collapse(page, 'show-json');

    // One look at the feed with several renders open.
    for (const action of ['show-metric', 'show-chart', 'show-table', 'show-markdown']) await expand(page, action);
    await page.setViewportSize({ width: 1360, height: 2000 });
    mkdirSync('/tmp/shots', { recursive: true });
    await page.screenshot({ path: '/tmp/shots/e2e-renders.png', fullPage: true });

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);

  it('an activity posted while the page is open shows PENDING, collapsed, and is redrawn in place when rendered', async () => {
    await stopWorker();
    const { page, context, errors } = await newPage(browser);
    await signIn(page, server, server.admin, '/activity');
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
    await page.evaluate(() => { (window as unknown as { __marker: number }).__marker = 1; });

    // A shape the first test did not render: one it did is known to this process's writer, which
    // stores it COMPLETED at once.
    const created = await api(server, 'POST', '/activities', { type: 'render', action_name: 'late-render', status: 'success', data: { service: 'api-9', zone: 'us-east-2', up: false } });
    expect((await api(server, 'GET', `/activities/${created.id}/processing`)).processing_status).toBe('PENDING');
    const { payload } = await expand(page, 'late-render');
    await payload.getByText('Rendering…').waitFor();
    // Collapsed: the tree's root is closed, no description list yet.
    expect(await payload.locator('details').first().evaluate((el) => (el as HTMLDetailsElement).open)).toBe(false);
    expect(await payload.locator('dl').count()).toBe(0);

    startWorker();
    expect(await settled(server, created.id)).toBe('COMPLETED');
    await payload.locator('dl').getByRole('definition').filter({ hasText: 'us-east-2' }).waitFor();
    await payload.getByText(/key value/).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
