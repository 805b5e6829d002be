import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { BACKENDS } from '../../../server/test/helpers.ts';
import { api, launch, newPage, signIn, startServer, type DashboardServer } from './server.ts';
import { seedRenderedActivities, seedRuns, seedSession } from './seed.ts';

describe.each(BACKENDS)('dashboard in Chromium (%s)', (backend) => {
  let server: DashboardServer;
  let browser: Browser;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(backend), launch()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the pages with a CSP and immutable assets; deep links load; the API is not shadowed', async () => {
    const page = await fetch(`${server.url}/runs/some-run`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${server.url}${asset}`);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${server.url}/api/v1/nope`)).headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('sends a signed-out person to /login and back after sign-in; Sign out ends the session', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${server.url}/runs?status=failed`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('Email').fill(server.admin);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Email or password is wrong' }).waitFor();
    await page.getByLabel('Password').fill('correct-horse-battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/runs?status=failed`);
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/login/);
    await context.close();
  });

  it('the feed shows a posted activity without a reload', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, server, server.admin, '/activity');
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
    await page.evaluate(() => { (window as unknown as { __marker: number }).__marker = 1; });
    await api(server, 'POST', '/activities', { action_name: 'deploy-live-check', target_name: 'api', status: 'success' });
    await page.getByText('deploy-live-check').waitFor();
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    await context.close();
  });

  it('falls back to polling when the socket is refused, and says so', async () => {
    const { page, context } = await newPage(browser);
    await context.routeWebSocket(/\/ws/, (ws) => { void ws.close({ code: 1011, reason: 'refused by test' }); });
    await signIn(page, server, server.admin, '/activity');
    await page.getByRole('status').filter({ hasText: 'Polling' }).first().waitFor();
    await api(server, 'POST', '/activities', { action_name: 'polled-activity', status: 'success' });
    await page.getByText('polled-activity').waitFor();
    await context.close();
  });

  it('run detail of a live run updates in place: steps appear, the status changes', async () => {
    await api(server, 'POST', '/runs', { id: 'live-e2e', agent_id: 'e2e-agent', status: 'running' });
    const { page, context } = await newPage(browser);
    await signIn(page, server, server.admin, '/runs/live-e2e');
    await page.getByText('No steps recorded.').waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).first().waitFor();
    await api(server, 'POST', '/runs/live-e2e/steps', { steps: [{ step_index: 0, kind: 'tool', skill_name: 'fetch-page', duration_ms: 1200, retry_count: 2, started_at: new Date().toISOString() }] });
    await page.getByRole('listitem').filter({ hasText: 'fetch-page' }).waitFor();
    await page.getByText('↻ 2×').waitFor();
    await api(server, 'POST', '/runs/live-e2e/complete', { input_tokens: 1000, output_tokens: 200, estimated_cost_usd: 0.05 });
    await page.locator('.page-head .badge', { hasText: 'completed' }).waitFor();
    await context.close();
  });

  it('a viewer sees no write actions', async () => {
    await api(server, 'POST', '/runs', { id: 'viewer-live', agent_id: 'e2e-agent', status: 'running' });
    const { page, context } = await newPage(browser);
    await signIn(page, server, server.viewer, '/activity');
    await page.getByRole('heading', { name: 'Live activity' }).waitFor();
    expect(await page.getByRole('button', { name: 'Send a test activity' }).count()).toBe(0);
    await page.goto(`${server.url}/runs/viewer-live`);
    await page.getByRole('heading', { name: 'Signals' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    await page.goto(`${server.url}/settings`);
    await page.getByRole('heading', { name: /Prices/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Add price' }).count()).toBe(0);
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByText('Only admins manage this.').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    await context.close();
  });

  it('no page logs a console error, with and without data, and no payload runs', async () => {
    await seedRuns(server, 8);
    await seedSession(server);
    await seedRenderedActivities(server);
    await api(server, 'POST', '/work-units', { id: 'nightly', name: 'Nightly', kind: 'pipeline', type: 'atomic' });
    const { page, context, errors } = await newPage(browser);
    await signIn(page, server, server.admin);
    const pages = ['/', '/activity', '/runs', '/runs/run-001', '/sessions', '/sessions/sess-7f3a', '/signals', '/signals?tab=patterns', '/signals?tab=cost',
      '/signals?tab=risk', '/work-units', '/work-units/nightly', '/workspaces', '/settings', '/settings?tab=prices'];
    for (const path of pages) {
      await page.goto(`${server.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForFunction(() => document.querySelectorAll('[aria-busy="true"]').length === 0);
    }
    await page.goto(`${server.url}/activity?type=render`);
    await page.locator('.feed-line').first().focus();
    await page.keyboard.press('j');
    await page.waitForFunction(() => document.activeElement?.closest('.feed-item')?.getAttribute('data-index') === '1');
    await page.locator('.feed-line', { hasText: 'show markdown' }).click();
    await page.getByRole('heading', { name: 'Release notes' }).waitFor();
    await page.locator('.feed-line', { hasText: 'show table' }).click();
    await page.getByRole('columnheader', { name: 'Path' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);
});
