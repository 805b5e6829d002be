import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { openTestDatabase, type Backend, type TestDatabase } from '../../../server/test/helpers.ts';
import { buildApp, type AppOptions, type RunlogApp } from '../../../server/src/app.ts';
import { jobsSchemaFor } from '../../../server/src/jobs/job-queue.ts';
import { createLogger } from '../../../server/src/logger.ts';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
export const PASSWORD = 'correct-horse-battery';

export interface DashboardServer {
  url: string;
  app: RunlogApp['app'];
  services: RunlogApp['services'];
  rendering: RunlogApp['rendering'];
  db: TestDatabase['db'];
  tenantId: string;
  /** An ingest+read key of the tenant, to post what the dashboard should show. */
  key: string;
  admin: string;
  viewer: string;
  close: () => Promise<void>;
}

/** A real server on a random port with one tenant, an admin and a viewer who sign in with PASSWORD. */
export async function startServer(backend: Backend, options: Partial<AppOptions> = {}): Promise<DashboardServer> {
  const testDb: TestDatabase = await openTestDatabase(backend);
  const built = await buildApp({ db: testDb.db, logger: createLogger('silent'), jobs: { schema: jobsSchemaFor(testDb.schema), pollingIntervalSeconds: 0.5 }, ...options });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (built.app.server.address() as AddressInfo).port;
  const tenant = await built.services.auth.ensureTenant(`e2e-${randomUUID()}`);
  const admin = `admin-${randomUUID().slice(0, 8)}@example.com`;
  const viewer = `viewer-${randomUUID().slice(0, 8)}@example.com`;
  await built.services.sessions.createUser({ tenantId: tenant.id, email: admin, name: 'Ada Admin', role: 'admin', password: PASSWORD });
  await built.services.sessions.createUser({ tenantId: tenant.id, email: viewer, name: 'Vic Viewer', role: 'viewer', password: PASSWORD });
  const { key } = await built.services.auth.createKey({ tenantId: tenant.id, name: 'e2e', scopes: ['ingest', 'read'], createdBy: null });
  return {
    url: `http://127.0.0.1:${port}`, app: built.app, services: built.services, rendering: built.rendering, db: testDb.db, tenantId: tenant.id, key, admin, viewer,
    close: async () => {
      await built.app.close();
      await testDb.drop();
    },
  };
}

/** POST/GET to the API with the tenant's key. */
export async function api(server: DashboardServer, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${server.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A page that records console errors and page errors, so a test can assert there were none. */
export async function newPage(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('response', (res) => { if (res.status() >= 400) errors.push(`HTTP ${res.status()} ${res.url()}`); });
  return { context, page, errors };
}

export async function signIn(page: Page, server: DashboardServer, email: string, path = '/'): Promise<void> {
  await page.goto(`${server.url}${path}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
