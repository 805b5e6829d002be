import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../src/db/postgres.ts';
import { jobsSchemaFor } from '../src/jobs/job-queue.ts';
import { cleanupTempDirs, killAll, runCli, startServer, tempDir, waitExit, waitReady } from './process-helpers.ts';

const schemas: string[] = [];
afterAll(async () => {
  await killAll();
  cleanupTempDirs();
  if (schemas.length === 0) return;
  const db = openPostgres({ url: process.env.DATABASE_URL!, schema: 'public', max: 1 });
  for (const s of schemas) await db.exec(`DROP SCHEMA IF EXISTS ${s} CASCADE; DROP SCHEMA IF EXISTS ${jobsSchemaFor(s)} CASCADE`);
  await db.close();
});

/** Where `runlog import` writes: a PostgreSQL schema of its own when DATABASE_URL is set, else a second embedded database. */
function importTarget(): Record<string, string> {
  if (!process.env.DATABASE_URL) return { RUNLOG_DATA_DIR: path.join(tempDir(), 'target') };
  const schema = `t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  schemas.push(schema);
  return { DATABASE_URL: process.env.DATABASE_URL, RUNLOG_DATABASE_SCHEMA: schema };
}

const ok = (r: { code: number | null; stderr: string }) => expect(r.code, r.stderr).toBe(0);

describe('operations through the CLI (embedded database)', () => {
  it('demo → reset-password → export → import twice → backup → restore → serve → prune', { timeout: 900_000 }, async () => {
    const dir = tempDir();
    const data = { RUNLOG_DATA_DIR: path.join(dir, 'data') };

    const demo = await runCli(['demo'], data, 300_000);
    ok(demo);
    expect(demo.stdout).toMatch(/Created tenant "default" with owner owner@localhost \(password: \S+\)/);
    expect(demo.stdout).toContain('Loaded 840 runs over the last 7 days (+4 still running)');
    expect(demo.stderr).toMatch(/\[#{30}\] 100%/);

    const reset = await runCli(['users', 'reset-password', '--tenant', 'default', '--email', 'owner@localhost', '--json'], data);
    ok(reset);
    const password = JSON.parse(reset.stdout).password as string;
    expect(password).toMatch(/^.{12,}$/);
    const unknown = await runCli(['users', 'reset-password', '--tenant', 'default', '--email', 'nobody@example.com'], data);
    expect([unknown.code, unknown.stderr.trim()]).toEqual([2, 'runlog: --email: no user nobody@example.com in tenant "default"']);
    const short = await runCli(['users', 'reset-password', '--tenant', 'default', '--email', 'owner@localhost'], { ...data, RUNLOG_USER_PASSWORD: 'short' });
    expect(short.code).toBe(2);

    const file = path.join(dir, 'default.ndjson.gz');
    ok(await runCli(['export', '--gzip', '--output', file], data));
    expect(statSync(file).size).toBeGreaterThan(10_000);
    const target = importTarget();
    const first = await runCli(['import', file, '--json'], target, 300_000);
    ok(first);
    const added = JSON.parse(first.stdout).added;
    expect(added).toMatchObject({ runs: 844, activities: expect.any(Number), users: 4, workspaces: 2 });
    const second = await runCli(['import', file], target, 300_000);
    ok(second);
    expect(second.stdout).toContain('nothing new (already imported)');

    const backup = path.join(dir, 'backup.tar.gz');
    ok(await runCli(['backup', backup], data));
    expect(existsSync(backup)).toBe(true);
    const restored = { RUNLOG_DATA_DIR: path.join(dir, 'restored') };
    ok(await runCli(['restore', backup], restored));
    expect((await runCli(['restore', backup], restored)).stderr).toContain('already holds a database');

    const server = await startServer({ ...restored, LOG_LEVEL: 'warn' });
    await waitReady(server, 120_000);
    const login = await fetch(`${server.origin}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'owner@localhost', password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const get = async (url: string) => (await fetch(`${server.origin}/api/v1${url}`, { headers: { cookie } })).json() as Promise<any>;
    expect((await get('/activity/summary/by-status')).total).toBe(840);
    const checkout = (await get('/runs?project_id=checkout&limit=500')).runs as { completed_at: string | null }[];
    const cutoff = Date.now() - 3 * 86_400_000;
    const expired = checkout.filter((r) => r.completed_at && Date.parse(r.completed_at) < cutoff).length;
    expect(expired).toBeGreaterThan(100);
    const patched = await fetch(`${server.origin}/api/v1/projects/checkout`, {
      method: 'PATCH', headers: { cookie, 'content-type': 'application/json', origin: server.origin }, body: JSON.stringify({ retention_days: 3 }),
    });
    expect(patched.status).toBe(200);
    server.proc.kill('SIGTERM');
    await waitExit(server, 60_000);

    const prune = await runCli(['prune', '--json'], restored);
    ok(prune);
    expect(JSON.parse(prune.stdout)).toMatchObject({ projects: 1, runs: expired });
    const again = await runCli(['prune', '--json'], restored);
    expect(JSON.parse(again.stdout)).toMatchObject({ runs: 0, trace_steps: 0, activities: 0 });
  });
});
