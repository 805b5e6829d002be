import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp } from './helpers.ts';

describe.each(BACKENDS)('GET /sessions: coding-assistant sessions from hook activities (%s)', (backend) => {
  const ctx = useApp(backend);

  it('groups a session\'s hook events with counts, failures and its timeline; other tenants see nothing', async () => {
    const t = await createTenant(ctx);
    const other = await createTenant(ctx);
    const base = Date.now() - 60_000;
    const at = (s: number) => new Date(base + s * 1000).toISOString();
    const hook = (body: Record<string, unknown>) => call(ctx, t.keys.both, 'POST', '/hooks/claude-code', { session_id: 's-1', cwd: '/repo', ...body });
    await hook({ hook_event_name: 'SessionStart', runlog_observed_at: at(0) });
    await hook({ hook_event_name: 'UserPromptSubmit', prompt: 'fix the tests', runlog_observed_at: at(1) });
    await hook({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 'a', tool_input: { command: 'npm test' }, runlog_observed_at: at(2) });
    await hook({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_use_id: 'a', tool_input: { command: 'npm test' }, tool_response: { is_error: true }, runlog_observed_at: at(5) });
    await hook({ hook_event_name: 'SessionEnd', runlog_observed_at: at(9) });

    const list = await call(ctx, t.keys.read, 'GET', '/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(1);
    expect(list.body.sessions[0]).toMatchObject({ session_id: 's-1', cwd: '/repo', events: 5, prompts: 1, tool_calls: 1, failures: 1, ended: true, first_at: at(0), last_at: at(9) });

    const one = await call(ctx, t.keys.read, 'GET', '/sessions/s-1');
    expect(one.status).toBe(200);
    expect(one.body.activities.map((a: { action_name: string }) => a.action_name)).toEqual(['SessionStart', 'UserPromptSubmit', 'Bash', 'Bash', 'SessionEnd']);

    expect((await call(ctx, other.keys.read, 'GET', '/sessions')).body.sessions).toEqual([]);
    expect((await call(ctx, other.keys.read, 'GET', '/sessions/s-1')).status).toBe(404);
    expect((await call(ctx, t.keys.read, 'GET', '/sessions?days=0')).status).toBe(400);
    expect((await call(ctx, null, 'GET', '/sessions')).status).toBe(401);
  });

  it('GET /dashboard/session answers 200 signed out, and the user and scopes signed in', async () => {
    const t = await createTenant(ctx);
    expect((await call(ctx, null, 'GET', '/dashboard/session')).body).toEqual({ signed_in: false, scopes: [] });
    await ctx.services.sessions.createUser({ tenantId: t.tenantId, email: 'v@example.com', role: 'viewer', password: 'long-enough-pw' });
    const login = await ctx.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'v@example.com', password: 'long-enough-pw' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const me = await ctx.app.inject({ method: 'GET', url: '/api/v1/dashboard/session', headers: { cookie } });
    expect(me.json()).toMatchObject({ signed_in: true, tenant_id: t.tenantId, user: { email: 'v@example.com', role: 'viewer' }, scopes: ['read'] });
  });
});
