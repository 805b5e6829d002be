import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type RunlogApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { jobsSchemaFor } from '../src/jobs/job-queue.ts';
import { createLogger } from '../src/logger.ts';
import { openTestDatabase, type TestDatabase } from './helpers.ts';

/** A raw TCP client: what it received, and a promise of the server closing the connection. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const open = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return { socket, open, closed, received: () => received };
}

describe('idle and slow connections', () => {
  let testDb: TestDatabase;
  let built: RunlogApp;
  let port: number;

  beforeAll(async () => {
    testDb = await openTestDatabase('pglite');
    built = await buildApp({
      db: testDb.db, logger: createLogger('silent'), jobs: { schema: jobsSchemaFor(testDb.schema) },
      http: { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxConnections: 3 },
    });
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    port = (built.app.server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await built?.app.close();
    await testDb?.drop();
  });

  it('cuts a client that sends its headers too slowly, one that never sends anything, and an idle keep-alive connection', async () => {
    const slow = connect(port);
    await slow.open;
    slow.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const silent = connect(port);
    await silent.open;
    const keptAlive = connect(port);
    await keptAlive.open;
    keptAlive.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');

    // Without deadlines none of these would ever close: the test would time out here.
    await Promise.all([slow.closed, silent.closed, keptAlive.closed]);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(keptAlive.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes connections beyond the cap as they arrive, and serves again once there is room', async () => {
    const held = [connect(port), connect(port), connect(port)];
    await Promise.all(held.map((c) => c.open));
    const extra = connect(port);
    await extra.closed;
    expect(extra.received()).toBe('');
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  });

  it('has documented defaults, each a flag and an environment variable', () => {
    const defaults = loadConfig({}, {});
    expect(defaults).toMatchObject({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 10_000, maxConnections: 10_000 });
    expect(loadConfig({ 'headers-timeout': '2000', 'max-connections': '50' }, { RUNLOG_REQUEST_TIMEOUT_MS: '30000', RUNLOG_KEEP_ALIVE_TIMEOUT_MS: '65000' }))
      .toMatchObject({ headersTimeoutMs: 2_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 65_000, maxConnections: 50 });
    expect(() => loadConfig({}, { RUNLOG_MAX_CONNECTIONS: 'many' })).toThrow(/RUNLOG_MAX_CONNECTIONS/);
  });
});
