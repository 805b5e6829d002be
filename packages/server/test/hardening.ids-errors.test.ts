import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant, useApp, type TestContext } from './helpers.ts';
import { asUser, signIn } from './workspaces-helpers.ts';

/** The longest id the create routes accept (200), with every character they allow, "/" included. */
const longId = (head: string, chars = ':@/+=-._') => `${head}-${chars}${'x'.repeat(200 - head.length - 1 - chars.length)}`;
const enc = encodeURIComponent;

/** The API's one error body. */
function expectErrorShape(res: { status: number; body: any; text: string }, what: string) {
  expect(res.body, `${what}: ${res.text.slice(0, 300)}`).toEqual(expect.objectContaining({
    error: expect.stringMatching(/^[a-z_]+$/), message: expect.any(String), details: expect.any(Object),
  }));
}

async function raw(ctx: TestContext, method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: string) {
  const res = await ctx.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, body: body as any, text: res.body, headers: res.headers };
}

describe.each(BACKENDS)('ids and error bodies on %s', (backend) => {
  const ctx = useApp(backend);

  it('an id of the longest accepted length works in every path that takes it, on every route family', async () => {
    const t = await createTenant(ctx);
    const runId = longId('run');
    expect(runId).toHaveLength(200);
    expect((await call(ctx, t.keys.both, 'POST', '/runs', { id: runId })).status).toBe(201);
    expect((await call(ctx, t.keys.read, 'GET', `/runs/${enc(runId)}`)).body.id).toBe(runId);
    expect((await call(ctx, t.keys.both, 'POST', `/runs/${enc(runId)}/start`, {})).body.status).toBe('running');
    expect((await call(ctx, t.keys.both, 'POST', `/runs/${enc(runId)}/heartbeat`, {})).status).toBe(200);
    expect((await call(ctx, t.keys.both, 'POST', `/runs/${enc(runId)}/steps`, { steps: [{ step_index: 0, kind: 'llm' }] })).status).toBe(200);
    expect((await call(ctx, t.keys.read, 'GET', `/runs/${enc(runId)}/steps`)).body.steps).toHaveLength(1);
    expect((await call(ctx, t.keys.both, 'POST', `/runs/${enc(runId)}/complete`, {})).body.status).toBe('completed');

    const activityId = longId('act');
    expect((await call(ctx, t.keys.both, 'POST', '/activities', { id: activityId, action_name: 'noted' })).status).toBe(201);
    expect((await call(ctx, t.keys.read, 'GET', `/activities/${enc(activityId)}`)).body.id).toBe(activityId);

    const projectId = longId('proj');
    expect((await call(ctx, t.keys.admin, 'POST', '/projects', { id: projectId, name: 'Long' })).status).toBe(201);
    expect((await call(ctx, t.keys.read, 'GET', `/projects/${enc(projectId)}`)).body.id).toBe(projectId);
    expect((await call(ctx, t.keys.admin, 'PATCH', `/projects/${enc(projectId)}`, { name: 'Longer' })).body.name).toBe('Longer');

    // Work unit ids allow no "/".
    const unitId = longId('unit', ':@+=-._');
    const unit = { id: unitId, name: 'u', version: '1', kind: 'workflow', type: 'atomic' };
    expect((await call(ctx, t.keys.both, 'POST', '/work-units', unit)).status).toBe(201);
    expect((await call(ctx, t.keys.read, 'GET', `/work-units/${enc(unitId)}`)).body.id).toBe(unitId);
    expect((await call(ctx, t.keys.both, 'PATCH', `/work-units/${enc(unitId)}`, { description: 'd' })).status).toBe(200);
    expect((await call(ctx, t.keys.read, 'GET', `/work-units/${enc(unitId)}/runs`)).status).toBe(200);
    expect((await call(ctx, t.keys.read, 'GET', `/workflows/${enc(unitId)}/runs`)).status).toBe(200);

    const owner = await signIn(ctx, t.tenantId, 'member');
    const workspace = (await asUser(ctx, owner, 'POST', '/workspaces', { name: 'W' })).body.id;
    expect((await asUser(ctx, owner, 'POST', `/workspaces/${workspace}/work-units`, { work_unit_id: unitId })).status).toBe(201);
    expect((await asUser(ctx, owner, 'GET', `/workspaces/${workspace}/work-units/${enc(unitId)}`)).status).toBe(200);
    expect((await asUser(ctx, owner, 'DELETE', `/workspaces/${workspace}/work-units/${enc(unitId)}`)).status).toBe(204);
    expect((await call(ctx, t.keys.admin, 'DELETE', `/work-units/${enc(unitId)}`)).status).toBe(204);
  });

  it('a path segment longer than any id is a 414 in the error body, echoing nothing of it', async () => {
    const t = await createTenant(ctx);
    const res = await call(ctx, t.keys.read, 'GET', `/runs/${'z'.repeat(700)}`);
    expect(res.status).toBe(414);
    expectErrorShape(res, '414');
    expect(res.body.error).toBe('uri_too_long');
    expect(res.text).not.toContain('zzzzzzzzzz');
    const justOver = await call(ctx, t.keys.read, 'GET', `/runs/${'z'.repeat(201)}`);
    expect(justOver.status).toBe(400);
    expect(justOver.body.details).toMatchObject({ field: 'id' });
  });

  it('every client and server error the fuzzing found answers {error, message, details} with a machine code', async () => {
    const t = await createTenant(ctx);
    const auth = { authorization: `Bearer ${t.keys.both}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const cases: [string, Awaited<ReturnType<typeof raw>>, number, string][] = [
      ['invalid JSON', await raw(ctx, 'POST', '/api/v1/runs', json, '{"id": '), 400, 'bad_request'],
      ['empty JSON', await raw(ctx, 'POST', '/api/v1/runs', json, ''), 400, 'bad_request'],
      ['no key', await raw(ctx, 'GET', '/api/v1/runs'), 401, 'unauthorized'],
      ['unknown key', await raw(ctx, 'GET', '/api/v1/runs', { authorization: 'Bearer rlk_nope' }), 401, 'unauthorized'],
      ['unknown route', await raw(ctx, 'GET', `/api/v1/nowhere/${'<script>'.repeat(40)}`), 404, 'not_found'],
      ['text body', await raw(ctx, 'POST', '/api/v1/runs', { ...auth, 'content-type': 'text/plain' }, 'hello'), 415, 'unsupported_media_type'],
      ['bad percent-encoding', await raw(ctx, 'GET', '/api/v1/runs/%E0%A4%A', auth), 400, 'bad_url'],
      ['schema violation', await raw(ctx, 'POST', '/api/v1/runs', json, '{"id": 5}'), 400, 'validation_error'],
      ['not a websocket', await raw(ctx, 'GET', '/ws', auth), 426, 'upgrade_required'],
    ];
    for (const [what, res, status, code] of cases) {
      expect(res.status, what).toBe(status);
      expectErrorShape(res, what);
      expect(res.body.error, what).toBe(code);
    }
    // What the client sent is echoed as a short excerpt at most.
    const unknown = cases.find(([what]) => what === 'unknown route')![1];
    expect(unknown.text.length).toBeLessThan(400);
    expect(cases.find(([what]) => what === 'bad percent-encoding')![1].body.details.path).toBe('/api/v1/runs/%E0%A4%A');
  });

  it('a body over the limit is a 413 in the error body', async () => {
    const t = await createTenant(ctx);
    const res = await raw(ctx, 'POST', '/api/v1/runs', { authorization: `Bearer ${t.keys.both}`, 'content-type': 'application/json' }, JSON.stringify({ id: 'big', metadata: { x: 'y'.repeat(6 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
    expectErrorShape(res, '413');
    expect(res.body.error).toBe('payload_too_large');
  });
});
