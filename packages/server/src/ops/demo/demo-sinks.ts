import type { Services } from '../../container.ts';
import { AppError } from '../../errors.ts';
import type { AuthContext, Role } from '../../domain/auth/auth.types.ts';
import { generatePassword } from '../../domain/auth/secrets.ts';
import type { ClaudeCodeHookPayload } from '../../ingest/claude-code/claude-code.schemas.ts';
import type { DemoItem } from './demo-data.ts';

/** Where the demo writes: a running server's public API, or the services on a stopped database. */
export interface DemoSink {
  /** Create calls answer true, or false when the thing exists already (409). */
  createProject(body: object): Promise<boolean>;
  registerWorkUnit(body: object): Promise<boolean>;
  /** The user's id, creating the user (with a password nobody is shown) when missing. */
  ensureUser(u: { email: string; name: string; role: Role }): Promise<string>;
  /** The workspace's id, created when no workspace has this name. */
  ensureWorkspace(body: { name: string; description: string; department: string }): Promise<string>;
  addMember(workspaceId: string, body: { user_id: string; role: Role }): Promise<boolean>;
  addWorkUnit(workspaceId: string, body: { work_unit_id: string }): Promise<boolean>;
  /** POST /ingest: per item, the status its REST route would answer. */
  ingest(items: DemoItem[]): Promise<{ status: number; message?: string }[]>;
  hook(payload: Record<string, unknown>): Promise<void>;
}

async function created(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (err) {
    if (err instanceof AppError && err.statusCode === 409) return false;
    throw err;
  }
}

/** Direct mode: the same services the HTTP routes call, from a container built without HTTP. */
export function serviceSink(
  { batch, registry, projects, workspaces, users, claudeCode }: Pick<Services, 'batch' | 'registry' | 'projects' | 'workspaces' | 'users' | 'claudeCode'>,
  auth: AuthContext,
): DemoSink {
  return {
    createProject: (body) => created(() => projects.create(auth, body as never)),
    registerWorkUnit: (body) => created(() => registry.register(auth, body as never)),
    async ensureUser(u) {
      const found = (await users.list(auth)).users.find((x) => x.email.toLowerCase() === u.email);
      return found?.id ?? (await users.create(auth, { ...u, password: generatePassword() })).id;
    },
    async ensureWorkspace(body) {
      const page = await workspaces.list(auth, { limit: 100, offset: 0 } as never);
      const found = (page as { workspaces: { id: string; name: string }[] }).workspaces.find((w) => w.name === body.name);
      return found?.id ?? ((await workspaces.create(auth, body)) as { id: string }).id;
    },
    addMember: (id, body) => created(() => workspaces.addMember(auth, id, body as never)),
    addWorkUnit: (id, body) => created(() => workspaces.addWorkUnit(auth, id, body as never)),
    ingest: async (items) => batch.ingest(auth, items),
    async hook(payload) {
      await claudeCode.ingest(auth, payload as ClaudeCodeHookPayload);
    },
  };
}

/** API mode: a running server (`--url`, `--key` with the admin scope). */
export function httpSink(baseUrl: string, key: string): DemoSink {
  const api = `${baseUrl.replace(/\/+$/, '')}/api/v1`;
  async function send(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (res.status >= 400 && res.status !== 409) throw new Error(`${method} ${path} answered ${res.status}: ${json?.message ?? text}`);
    return { status: res.status, json };
  }
  const ok = async (method: string, path: string, body: unknown) => (await send(method, path, body)).status !== 409;
  return {
    createProject: (body) => ok('POST', '/projects', body),
    registerWorkUnit: (body) => ok('POST', '/work-units', body),
    async ensureUser(u) {
      const found = (await send('GET', '/users')).json.users.find((x: { email: string }) => x.email.toLowerCase() === u.email);
      return found?.id ?? (await send('POST', '/users', u)).json.id;
    },
    async ensureWorkspace(body) {
      const found = (await send('GET', '/workspaces?limit=100')).json.workspaces.find((w: { name: string }) => w.name === body.name);
      return found?.id ?? (await send('POST', '/workspaces', body)).json.id;
    },
    addMember: (id, body) => ok('POST', `/workspaces/${id}/members`, body),
    addWorkUnit: (id, body) => ok('POST', `/workspaces/${id}/work-units`, body),
    ingest: async (items) => (await send('POST', '/ingest', { items })).json.results,
    async hook(payload) {
      await send('POST', '/hooks/claude-code', payload);
    },
  };
}
