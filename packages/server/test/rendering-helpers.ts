import { call, type TestContext } from './helpers.ts';

/** Polls a condition (no fixed sleep decides the outcome); fails with the last value seen. */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last: ${JSON.stringify(last).slice(0, 800)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await read();
  }
  return last;
}

const FINAL = ['COMPLETED', 'FAILED', 'SKIPPED'];

/** GET /activities/{id} until its processing is final. */
export function settled(ctx: TestContext, key: string, id: string, timeoutMs?: number) {
  return eventually(async () => (await call(ctx, key, 'GET', `/activities/${encodeURIComponent(id)}`)).body, (a) => FINAL.includes(a?.processing_status), timeoutMs);
}

/** Creates an activity with this payload and returns it once rendered. */
export async function renderOf(ctx: TestContext, key: string, data: unknown, extra: Record<string, unknown> = {}) {
  const created = await call(ctx, key, 'POST', '/activities', { action_name: 'Tool', data, ...extra });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${created.text}`);
  return settled(ctx, key, created.body.id);
}
