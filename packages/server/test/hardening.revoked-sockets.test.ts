import { describe, expect, it } from 'vitest';
import { BACKENDS, call, createTenant } from './helpers.ts';
import { LiveClient, useLiveApp, useTwoNodes, type LiveContext } from './realtime-helpers.ts';
import { asUser, signIn, type TestUser } from './workspaces-helpers.ts';

/** A browser's socket: a ticket bought with the session cookie on one node, the socket opened on another. */
async function sessionSocket(from: LiveContext, on: LiveContext, user: TestUser) {
  const ticket = await from.app.inject({ method: 'POST', url: '/api/v1/ws-ticket', headers: { cookie: user.cookie } });
  expect(ticket.statusCode).toBe(201);
  const client = await LiveClient.open(on, { ticket: ticket.json().ticket });
  await client.subscribe(['activity']);
  return client;
}

/** Revocations written through `writer` close the sockets held on `listener` (the same node, or another). */
function revocationScenarios(nodes: () => { writer: LiveContext; listener: LiveContext }) {
  it('revoking a key closes the sockets opened with it; other keys keep theirs and hear what follows', async () => {
    const { writer, listener } = nodes();
    const t = await createTenant(writer);
    const doomed = await writer.services.auth.createKey({ tenantId: t.tenantId, name: 'doomed', scopes: ['read'] });
    const revoked = await LiveClient.open(listener, { key: doomed.key });
    await revoked.subscribe(['activity']);
    const kept = await LiveClient.open(listener, { key: t.keys.read });
    await kept.subscribe(['activity']);

    expect((await call(writer, t.keys.admin, 'DELETE', `/api-keys/${doomed.row.id}`)).status).toBe(200);
    expect(await revoked.closed).toEqual({ code: 1008, reason: 'credentials revoked' });
    expect((await call(writer, t.keys.both, 'POST', '/activities', { action_name: 'after revoke' })).status).toBe(201);
    await kept.waitFor((items) => items.find((i) => i.type === 'activity_created' && i.data.action_name === 'after revoke'));
    expect(revoked.of('activity_created')).toEqual([]);
    // The listening node forgot the key at once, though it had verified it moments ago.
    expect((await call(listener, doomed.key, 'GET', '/runs')).status).toBe(401);
    await kept.close();
  });

  it('signing out closes the sockets of that session only', async () => {
    const { writer, listener } = nodes();
    const t = await createTenant(writer);
    const user = await signIn(writer, t.tenantId, 'viewer');
    const otherSession = { ...user, cookie: (await signIn(writer, t.tenantId, 'viewer')).cookie };
    const socket = await sessionSocket(writer, listener, user);
    const other = await sessionSocket(writer, listener, otherSession);

    expect((await writer.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie: user.cookie } })).statusCode).toBe(204);
    expect(await socket.closed).toEqual({ code: 1008, reason: 'credentials revoked' });
    expect((await call(writer, t.keys.both, 'POST', '/activities', { action_name: 'after logout' })).status).toBe(201);
    await other.waitFor((items) => items.find((i) => i.type === 'activity_created' && i.data.action_name === 'after logout'));
    expect(socket.of('activity_created')).toEqual([]);
    await other.close();
  });

  it('losing a workspace membership closes the sockets of that user', async () => {
    const { writer, listener } = nodes();
    const t = await createTenant(writer);
    const owner = await signIn(writer, t.tenantId, 'member');
    const leaver = await signIn(writer, t.tenantId, 'viewer');
    const workspace = (await asUser(writer, owner, 'POST', '/workspaces', { name: 'Ops' })).body.id;
    expect((await asUser(writer, owner, 'POST', `/workspaces/${workspace}/members`, { user_id: leaver.id, role: 'viewer' })).status).toBe(201);
    const leaving = await sessionSocket(writer, listener, leaver);
    const staying = await sessionSocket(writer, listener, owner);

    expect((await asUser(writer, owner, 'DELETE', `/workspaces/${workspace}/members/${leaver.id}`)).status).toBe(204);
    expect(await leaving.closed).toEqual({ code: 1008, reason: 'credentials revoked' });
    expect(staying.ws.readyState).toBe(staying.ws.OPEN);
    await staying.close();
  });

  it('the auth service says "no longer valid" for a user (deactivation, deletion): every socket of that user closes', async () => {
    const { writer, listener } = nodes();
    const t = await createTenant(writer);
    const user = await signIn(writer, t.tenantId, 'viewer');
    const socket = await sessionSocket(writer, listener, user);
    writer.services.auth.credentialsRevoked(t.tenantId, { userId: user.id });
    expect(await socket.closed).toEqual({ code: 1008, reason: 'credentials revoked' });
  });
}

describe.each(BACKENDS)('sockets of revoked credentials on one node (%s)', (backend) => {
  const ctx = useLiveApp(backend);
  revocationScenarios(() => ({ writer: ctx, listener: ctx }));
});

describe.skipIf(!process.env.DATABASE_URL)('sockets of revoked credentials across two nodes (postgres)', () => {
  const { a, b } = useTwoNodes();
  revocationScenarios(() => ({ writer: a, listener: b }));
});
