import { describe, expect, it } from 'vitest';
import { mapHookPayload, responseFailed } from '../src/ingest/claude-code/claude-code.mapping.ts';
import type { ClaudeCodeHookPayload } from '../src/ingest/claude-code/claude-code.schemas.ts';
import { BACKENDS, call, createTenant, useApp, type TestContext, type TestTenant } from './helpers.ts';

/** POST /api/v1/hooks/claude-code as Claude Code's HTTP hook sends it, asking for the result unless `minimal`. */
async function hook(ctx: TestContext, key: string | null, payload: unknown, { minimal = false } = {}) {
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/api/v1/hooks/claude-code',
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(minimal ? {} : { prefer: 'return=representation' }) },
    payload: payload as object,
  });
  return { status: res.statusCode, text: res.body, body: res.body ? JSON.parse(res.body) : undefined, headers: res.headers };
}

async function stored(ctx: TestContext, t: TestTenant, sessionId: string) {
  const res = await call(ctx, t.keys.read, 'GET', `/activities?session_id=${encodeURIComponent(sessionId)}&after_seq=0&limit=500`);
  expect(res.status).toBe(200);
  return res.body.activities as Record<string, any>[];
}

const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/** The fields every Claude Code hook payload carries. */
function common(session: string, event: string) {
  return {
    session_id: session,
    transcript_path: `/home/ann/.claude/projects/-home-ann-shop/${session}.jsonl`,
    cwd: '/home/ann/shop',
    permission_mode: 'default',
    hook_event_name: event,
  };
}

/** One realistic session: every event type Runlog records, in the order Claude Code fires them. */
function session(id: string) {
  return [
    { ...common(id, 'SessionStart'), source: 'startup', model: 'claude-sonnet-4-5' },
    { ...common(id, 'UserPromptSubmit'), prompt: 'Fix the failing test in cart.test.ts' },
    { ...common(id, 'PreToolUse'), tool_name: 'Read', tool_use_id: 'toolu_01Read', tool_input: { file_path: '/home/ann/shop/src/cart.ts' } },
    {
      ...common(id, 'PostToolUse'), tool_name: 'Read', tool_use_id: 'toolu_01Read', tool_input: { file_path: '/home/ann/shop/src/cart.ts' },
      tool_response: { type: 'text', file: { filePath: '/home/ann/shop/src/cart.ts', content: 'export const x = 1;\n'.repeat(2000), numLines: 2000 } },
    },
    { ...common(id, 'PreToolUse'), tool_name: 'Bash', tool_use_id: 'toolu_01Bash', tool_input: { command: 'npm test -- cart', description: 'Run the cart tests' } },
    {
      ...common(id, 'PostToolUseFailure'), tool_name: 'Bash', tool_use_id: 'toolu_01Bash', tool_input: { command: 'npm test -- cart', description: 'Run the cart tests' },
      error: 'Command exited with non-zero status code 1', is_interrupt: false,
    },
    { ...common(id, 'PreToolUse'), tool_name: 'Edit', tool_use_id: 'toolu_01Edit', tool_input: { file_path: '/home/ann/shop/src/cart.ts', old_string: 'a', new_string: 'b' } },
    {
      ...common(id, 'PostToolUse'), tool_name: 'Edit', tool_use_id: 'toolu_01Edit', tool_input: { file_path: '/home/ann/shop/src/cart.ts', old_string: 'a', new_string: 'b' },
      tool_response: { filePath: '/home/ann/shop/src/cart.ts', oldString: 'a', newString: 'b', userModified: false },
    },
    {
      ...common(id, 'PostToolUse'), tool_name: 'mcp__github__create_issue', tool_use_id: 'toolu_01Mcp', tool_input: { title: 'Cart bug' },
      tool_response: { isError: true, content: [{ type: 'text', text: 'Bad credentials' }] },
    },
    { ...common(id, 'Notification'), message: 'Claude needs your permission to use Bash', notification_type: 'permission_prompt' },
    { ...common(id, 'SubagentStop'), stop_hook_active: false, agent_id: 'agent-7', agent_type: 'Explore' },
    { ...common(id, 'Stop'), stop_hook_active: false },
    { ...common(id, 'SessionEnd'), reason: 'prompt_input_exit' },
  ];
}

describe('Claude Code hook mapping', () => {
  const now = new Date('2026-01-05T10:00:00.000Z');
  const base = { session_id: 's-1', hook_event_name: 'PreToolUse', tool_name: 'Grep', tool_use_id: 'toolu_1' } as const;

  it('names what a tool acts on, most specific key first', () => {
    const target = (tool_input: unknown) => mapHookPayload({ ...base, tool_input } as ClaudeCodeHookPayload, now).activity.target_name;
    expect(target({ pattern: 'TODO', path: 'src' })).toBe('src');
    expect(target({ notebook_path: 'a.ipynb', cell_id: 'c1' })).toBe('a.ipynb');
    expect(target({ url: 'https://example.com', prompt: 'summarise' })).toBe('https://example.com');
    expect(target({ query: 'fastify hooks' })).toBe('fastify hooks');
    expect(target({ description: 'Explore the repo', prompt: '…', subagent_type: 'Explore' })).toBe('Explore the repo');
    expect(target({ command: 'x'.repeat(5000) })).toHaveLength(500);
    expect(target({ todos: [] })).toBeNull();
    expect(target('not an object')).toBeNull();
  });

  it('reads failure out of a PostToolUse response', () => {
    expect(responseFailed({ stdout: 'ok', stderr: '', interrupted: false })).toBe(false);
    expect(responseFailed({ success: true })).toBe(false);
    expect(responseFailed({ error: null })).toBe(false);
    expect(responseFailed('plain text')).toBe(false);
    for (const failed of [{ is_error: true }, { isError: true }, { success: false }, { interrupted: true }, { error: 'ENOENT' }]) {
      expect(responseFailed(failed)).toBe(true);
    }
  });

  it('gives deterministic ids: tool halves by tool_use_id, other events by payload and time', () => {
    const pre = mapHookPayload(base as ClaudeCodeHookPayload, now);
    expect(pre.activity.id).toBe('cc:s-1:toolu_1:pre');
    expect(pre.pair).toEqual({ preId: 'cc:s-1:toolu_1:pre', postId: 'cc:s-1:toolu_1:post' });
    expect(mapHookPayload({ ...base, hook_event_name: 'PostToolUseFailure' } as ClaudeCodeHookPayload, now).activity.id).toBe('cc:s-1:toolu_1:post');
    const odd = mapHookPayload({ ...base, session_id: 'a b/c', tool_use_id: 'x:y' } as ClaudeCodeHookPayload, now).activity.id;
    expect(odd).toMatch(/^cc:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]{22}:pre$/);
    const stop = { session_id: 's-1', hook_event_name: 'Stop', stop_hook_active: false } as ClaudeCodeHookPayload;
    expect(mapHookPayload(stop, now).activity.id).toBe(mapHookPayload({ ...stop }, now).activity.id);
    expect(mapHookPayload(stop, now).activity.id).not.toBe(mapHookPayload(stop, new Date(now.getTime() + 1)).activity.id);
  });
});

describe.each(BACKENDS)('POST /hooks/claude-code on %s', (backend) => {
  const ctx = useApp(backend);

  it('turns every hook event into an activity of its session', async () => {
    const t = await createTenant(ctx);
    const payloads = session('sess-every');
    for (const payload of payloads) {
      const res = await hook(ctx, t.keys.ingest, { ...payload, some_future_field: { nested: [1, 2] } });
      expect(res.status, res.text).toBe(201);
    }
    const rows = await stored(ctx, t, 'sess-every');
    expect(rows.map((r) => [r.type, r.action_name, r.target_name, r.status])).toEqual([
      ['session', 'SessionStart', '/home/ann/shop', null],
      ['prompt', 'UserPromptSubmit', 'Fix the failing test in cart.test.ts', null],
      ['tool', 'Read', '/home/ann/shop/src/cart.ts', 'in_progress'],
      ['tool', 'Read', '/home/ann/shop/src/cart.ts', 'success'],
      ['tool', 'Bash', 'npm test -- cart', 'in_progress'],
      ['tool', 'Bash', 'npm test -- cart', 'failed'],
      ['tool', 'Edit', '/home/ann/shop/src/cart.ts', 'in_progress'],
      ['tool', 'Edit', '/home/ann/shop/src/cart.ts', 'success'],
      ['tool', 'mcp__github__create_issue', null, 'failed'],
      ['notification', 'Notification', 'Claude needs your permission to use Bash', null],
      ['session', 'SubagentStop', '/home/ann/shop', null],
      ['session', 'Stop', '/home/ann/shop', null],
      ['session', 'SessionEnd', '/home/ann/shop', null],
    ]);
    for (const row of rows) expect(row).toMatchObject({ source: 'claude-code', session_id: 'sess-every', is_automated: row.type === 'tool' });

    const [start, , , readPost, bashPre, bashFail, , , , notification, subagent, , end] = rows;
    expect(start!.data).toMatchObject({ hook_event_name: 'SessionStart', source: 'startup', model: 'claude-sonnet-4-5', permission_mode: 'default' });
    expect(bashPre!.action_description).toBe('Run the cart tests');
    expect(bashPre!.id).toBe('cc:sess-every:toolu_01Bash:pre');
    expect(bashFail!.data).toMatchObject({ error: 'Command exited with non-zero status code 1', is_interrupt: false, tool_use_id: 'toolu_01Bash' });
    expect(readPost!.data.transcript_path).toBe('/home/ann/.claude/projects/-home-ann-shop/sess-every.jsonl');
    // A whole file in the response is kept as a preview of a few KB.
    expect(readPost!.data.tool_response.file.content.length).toBeLessThan(4200);
    expect(readPost!.data.tool_response.file.content).toMatch(/…\[\d+ more characters\]$/);
    expect(readPost!.data.tool_response.file.numLines).toBe(2000);
    expect(notification!.data.notification_type).toBe('permission_prompt');
    expect(subagent!.data).toMatchObject({ agent_id: 'agent-7', agent_type: 'Explore' });
    expect(end!.data.reason).toBe('prompt_input_exit');
    // Unknown fields are accepted and not stored.
    for (const row of rows) expect(row.data).not.toHaveProperty('some_future_field');
  });

  it('answers with an empty body unless asked, so Claude Code reads no hook output', async () => {
    const t = await createTenant(ctx);
    const res = await hook(ctx, t.keys.ingest, { ...common('sess-empty', 'Stop') }, { minimal: true });
    expect(res.status).toBe(201);
    expect(res.text).toBe('');
    const full = await hook(ctx, t.keys.ingest, { ...common('sess-empty', 'UserPromptSubmit'), prompt: 'hi' });
    expect(full.status).toBe(201);
    expect(full.headers['preference-applied']).toBe('return=representation');
    expect(full.body).toEqual({ id: expect.stringMatching(/^cc:sess-empty:/), seq: 2, duration_ms: null });
  });

  it('times a tool call from its PreToolUse to its PostToolUse, whichever arrives first', async () => {
    const t = await createTenant(ctx);
    const T = '2026-01-05T10:00:00.000Z';
    const tool = { tool_name: 'Bash', tool_input: { command: 'sleep 1' } };
    const pre = await hook(ctx, t.keys.ingest, { ...common('sess-time', 'PreToolUse'), ...tool, tool_use_id: 'toolu_A', runlog_observed_at: T });
    expect(pre.body).toMatchObject({ id: 'cc:sess-time:toolu_A:pre', duration_ms: null });
    const post = await hook(ctx, t.keys.ingest, {
      ...common('sess-time', 'PostToolUse'), ...tool, tool_use_id: 'toolu_A', tool_response: { stdout: '', stderr: '', interrupted: false }, runlog_observed_at: at(T, 1234),
    });
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({ id: 'cc:sess-time:toolu_A:post', duration_ms: 1234 });

    // A spooled Pre can be delivered after its Post: the Post gets its duration then.
    const late = await hook(ctx, t.keys.ingest, { ...common('sess-time', 'PostToolUseFailure'), ...tool, tool_use_id: 'toolu_B', error: 'killed', runlog_observed_at: at(T, 5000) });
    expect(late.body.duration_ms).toBeNull();
    await hook(ctx, t.keys.ingest, { ...common('sess-time', 'PreToolUse'), ...tool, tool_use_id: 'toolu_B', runlog_observed_at: at(T, 2000) });
    expect((await call(ctx, t.keys.read, 'GET', '/activities/cc:sess-time:toolu_B:post')).body).toMatchObject({ status: 'failed', duration_ms: 3000 });

    // No Pre: no duration. A Post stamped before its Pre (clock trouble): 0, never negative.
    const lonely = await hook(ctx, t.keys.ingest, { ...common('sess-time', 'PostToolUse'), ...tool, tool_use_id: 'toolu_C', runlog_observed_at: at(T, 100) });
    expect(lonely.body.duration_ms).toBeNull();
    await hook(ctx, t.keys.ingest, { ...common('sess-time', 'PreToolUse'), ...tool, tool_use_id: 'toolu_D', runlog_observed_at: at(T, 900) });
    const early = await hook(ctx, t.keys.ingest, { ...common('sess-time', 'PostToolUse'), ...tool, tool_use_id: 'toolu_D', runlog_observed_at: at(T, 800) });
    expect(early.body.duration_ms).toBe(0);

    const rows = await stored(ctx, t, 'sess-time');
    expect(rows.find((r) => r.id === 'cc:sess-time:toolu_A:post')).toMatchObject({ duration_ms: 1234, occurred_at: at(T, 1234) });
    expect(rows.find((r) => r.id === 'cc:sess-time:toolu_A:pre')).toMatchObject({ duration_ms: null, occurred_at: T });
  });

  it('stores a redelivered payload once and answers 200 with the stored activity', async () => {
    const t = await createTenant(ctx);
    const T = '2026-01-05T11:00:00.000Z';
    const pre = { ...common('sess-again', 'PreToolUse'), tool_name: 'Write', tool_use_id: 'toolu_W', tool_input: { file_path: 'a.txt', content: 'x' }, runlog_observed_at: T };
    const post = { ...pre, hook_event_name: 'PostToolUse', tool_response: { type: 'create' }, runlog_observed_at: at(T, 40) };
    const stop = { ...common('sess-again', 'Stop'), stop_hook_active: false, runlog_observed_at: at(T, 50) };
    const first = [await hook(ctx, t.keys.ingest, pre), await hook(ctx, t.keys.ingest, post), await hook(ctx, t.keys.ingest, stop)];
    expect(first.map((r) => r.status)).toEqual([201, 201, 201]);
    const again = [await hook(ctx, t.keys.ingest, pre), await hook(ctx, t.keys.ingest, post), await hook(ctx, t.keys.ingest, stop)];
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(again.map((r) => r.body)).toEqual(first.map((r) => r.body));
    expect(again[1]!.body.duration_ms).toBe(40);
    expect(await stored(ctx, t, 'sess-again')).toHaveLength(3);

    // Without a hook time (HTTP form, never redelivered by Claude Code) two identical Stops are two turns.
    const bare = { ...common('sess-again', 'Stop'), stop_hook_active: false };
    expect((await hook(ctx, t.keys.ingest, bare)).status).toBe(201);
    expect((await hook(ctx, t.keys.ingest, bare)).status).toBe(201);
    expect(await stored(ctx, t, 'sess-again')).toHaveLength(5);
  });

  it('needs an API key with the ingest scope', async () => {
    const t = await createTenant(ctx);
    const payload = { ...common('sess-auth', 'Stop') };
    expect((await hook(ctx, null, payload)).status).toBe(401);
    expect((await hook(ctx, 'rl_not_a_key_at_all_000000', payload)).status).toBe(401);
    const forbidden = await hook(ctx, t.keys.read, payload);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.details.required_scope).toBe('ingest');
    expect((await hook(ctx, t.keys.admin, payload)).status).toBe(201);
    expect(await stored(ctx, t, 'sess-auth')).toHaveLength(1);
  });

  it('keeps each tenant’s hook activities to itself, pairing included', async () => {
    const a = await createTenant(ctx);
    const b = await createTenant(ctx);
    const T = '2026-01-05T12:00:00.000Z';
    const pre = { ...common('sess-shared', 'PreToolUse'), tool_name: 'Bash', tool_use_id: 'toolu_S', tool_input: { command: 'ls' }, runlog_observed_at: T };
    expect((await hook(ctx, a.keys.ingest, pre)).status).toBe(201);
    expect((await call(ctx, b.keys.read, 'GET', '/activities/cc:sess-shared:toolu_S:pre')).status).toBe(404);
    expect(await stored(ctx, b, 'sess-shared')).toEqual([]);
    // The same ids in another tenant are that tenant's own activities; A's Pre does not time B's Post.
    const post = await hook(ctx, b.keys.ingest, { ...pre, hook_event_name: 'PostToolUse', runlog_observed_at: at(T, 10) });
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({ seq: 1, duration_ms: null });
    expect(await stored(ctx, a, 'sess-shared')).toHaveLength(1);
  });

  it('refuses bad input with 400 naming the field', async () => {
    const t = await createTenant(ctx);
    const bad = async (payload: unknown, field: string) => {
      const res = await hook(ctx, t.keys.ingest, payload);
      expect(res.status, res.text).toBe(400);
      expect(res.body.error).toBe('validation_error');
      expect(res.body.message).toContain(field);
      return res.body;
    };
    const { hook_event_name: _, ...noEvent } = common('sess-bad', 'Stop');
    await bad(noEvent, 'hook_event_name');
    expect((await bad({ ...common('sess-bad', 'PreCompact') }, 'hook_event_name')).message).toContain('must be one of SessionStart');
    await bad({ ...common('sess-bad', 'Stop'), session_id: undefined }, 'session_id');
    await bad({ ...common('sess-bad', 'Stop'), session_id: 42 }, 'session_id');
    await bad({ ...common('sess-bad', 'PreToolUse'), tool_use_id: 'toolu_1', tool_input: {} }, 'tool_name');
    await bad({ ...common('sess-bad', 'PreToolUse'), tool_name: 'Bash', tool_use_id: 'x'.repeat(201) }, 'tool_use_id');
    await bad({ ...common('sess-bad', 'Stop'), runlog_observed_at: 'yesterday' }, 'runlog_observed_at');
    await bad({ ...common('sess-bad', 'Stop'), runlog_observed_at: new Date(Date.now() + 3_600_000).toISOString() }, 'runlog_observed_at');
    expect((await hook(ctx, t.keys.ingest, [common('sess-bad', 'Stop')])).status).toBe(400);
    expect(await stored(ctx, t, 'sess-bad')).toEqual([]);
  });

  it('stores what PostgreSQL would refuse in text (NUL, lone surrogates) and long prompts, cut', async () => {
    const t = await createTenant(ctx);
    const res = await hook(ctx, t.keys.ingest, {
      ...common('sess-odd', 'PostToolUse'), tool_name: 'Bash', tool_use_id: 'toolu_nul', tool_input: { command: 'cat bin\u0000ary' },
      tool_response: { stdout: 'a\u0000b\ud800c', stderr: '' },
    });
    expect(res.status, res.text).toBe(201);
    const prompt = `${'word '.repeat(3000)}😀`;
    expect((await hook(ctx, t.keys.ingest, { ...common('sess-odd', 'UserPromptSubmit'), prompt })).status).toBe(201);
    const [tool, asked] = await stored(ctx, t, 'sess-odd');
    expect(tool!.target_name).toBe('cat bin\uFFFDary');
    expect(tool!.data.tool_response.stdout).toBe('a\uFFFDb\uFFFDc');
    expect(asked!.target_name).toHaveLength(500);
    expect(asked!.data.prompt.length).toBeLessThanOrEqual(4096);
  });
});
