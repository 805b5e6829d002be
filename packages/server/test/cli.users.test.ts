import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, killAll, randomSecret, runCli, startServer, tempDir, waitReady } from './process-helpers.ts';

afterAll(async () => {
  await killAll();
  cleanupTempDirs();
});

describe('runlog users create', () => {
  it('creates a user who signs in to the dashboard; refuses bad flags naming them', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const env = { RUNLOG_DATA_DIR: dataDir };
    const created = await runCli(['users', 'create', '--tenant', 'acme', '--email', 'ann@example.com', '--role', 'admin', '--create-tenant', '--json'], env);
    expect(created.code, created.stderr).toBe(0);
    const out = JSON.parse(created.stdout.trim());
    expect(out).toMatchObject({ email: 'ann@example.com', role: 'admin' });
    expect(out.password).toMatch(/^.{12,}$/);

    const chosen = await runCli(['users', 'create', '--tenant', 'acme', '--email', 'bob@example.com', '--json'], { ...env, RUNLOG_USER_PASSWORD: 'bob-password-1' });
    expect(JSON.parse(chosen.stdout.trim())).toMatchObject({ role: 'member', tenant_id: out.tenant_id });
    expect(chosen.stdout).not.toContain('bob-password-1');

    const again = await runCli(['users', 'create', '--tenant', 'acme', '--email', 'ann@example.com'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ann@example.com exists');
    const badRole = await runCli(['users', 'create', '--tenant', 'acme', '--email', 'x@example.com', '--role', 'boss'], env);
    expect([badRole.code, badRole.stderr.trim()]).toEqual([2, expect.stringMatching(/^runlog: --role: must be one of/)]);

    const server = await startServer({ ...env, RUNLOG_INIT_API_KEY: randomSecret(), LOG_LEVEL: 'warn' });
    await waitReady(server);
    const login = await fetch(`${server.origin}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ann@example.com', password: out.password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const me = await fetch(`${server.origin}/api/v1/auth/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ tenant_id: out.tenant_id, user_id: out.user_id, scopes: ['admin'] });
  }, 240_000); // a first start of PGlite and several CLI runs on a shared machine
});
