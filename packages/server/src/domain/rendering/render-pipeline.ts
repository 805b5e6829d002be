import type { Database, Queryable } from '../../db/database.ts';
import type { Logger } from '../../logger.ts';
import type { EventBus } from '../../realtime/event-bus.ts';
import { analyzeBuiltin } from './analyzer/builtin.ts';
import { fingerprintOf } from './fingerprint.ts';
import { LlmInvalidAnswerError } from './llm/llm-client.ts';
import { analyzeWithLlm } from './llm/llm-analyzer.ts';
import type { RenderingMetrics } from './rendering.metrics.ts';
import type { KnownRenders } from './known-renders.ts';
import * as repo from './rendering.repository.ts';
import { analyzerKeyOf, type RenderingSettings } from './rendering.settings.ts';
import { RENDER_VERSION, type AnalyzerName, type RenderDecision, type RenderInput, type SchemaRender } from './rendering.types.ts';
import { activityRendered } from '../../events/live-events.ts';

type Analysis = { ok: true; render: SchemaRender; cacheable: boolean; hit?: boolean } | { ok: false; error: string };

export interface PipelineDeps {
  db: Database;
  bus: EventBus;
  logger: Logger;
  settings: RenderingSettings;
  metrics: RenderingMetrics;
  /** The renders this process knows (shared with the writer, which stores known shapes COMPLETED at once). */
  known: KnownRenders;
}

function limiter(concurrency: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/**
 * One batch of claimed activities → renders stored and published. Each distinct
 * (tenant, fingerprint) is analysed once: from the renders this process knows, else the cache table,
 * else the analyzer; concurrent batches share an analysis in flight, so a thousand
 * activities of one shape cost one LLM call.
 */
export function createRenderPipeline({ db, bus, logger, settings, metrics, known }: PipelineDeps) {
  const analyzerKey = analyzerKeyOf(settings);
  const inflight = new Map<string, Promise<Analysis>>();
  const llmSlot = limiter(settings.llmConcurrency);

  const renderOf = (d: RenderDecision, analyzer: AnalyzerName, fingerprint: string, reason?: string): SchemaRender =>
    ({ version: RENDER_VERSION, strategy: d.strategy, title: d.title, fields: d.fields, analyzer, fingerprint, ...(reason ? { fallback_reason: reason } : {}) });

  /** The built-in analyzer, synchronous: called inside the claiming transaction. */
  function analyseBuiltin(input: RenderInput, fingerprint: string): Analysis {
    const started = performance.now();
    try {
      return { ok: true, render: renderOf(analyzeBuiltin(input), 'builtin', fingerprint), cacheable: true };
    } catch (err) {
      return { ok: false, error: `the render failed: ${(err as Error).message}` };
    } finally {
      metrics.duration.observe({ analyzer: 'builtin' }, (performance.now() - started) / 1000);
    }
  }

  async function analyse(input: RenderInput, fingerprint: string, signal: AbortSignal): Promise<Analysis> {
    if (!settings.llm) return analyseBuiltin(input, fingerprint);
    const started = performance.now();
    const analyzer = 'llm';
    try {
      const llm = settings.llm;
      const decision = await llmSlot(() => analyzeWithLlm(llm, input, signal));
      return { ok: true, render: renderOf(decision, 'llm', fingerprint), cacheable: true };
    } catch (err) {
      const message = (err as Error).message;
      // An answer that fails validation would fail again for this shape: its fallback is cached.
      if (err instanceof LlmInvalidAnswerError) return { ok: true, render: renderOf(analyzeBuiltin(input), 'builtin', fingerprint, message), cacheable: true };
      if (settings.llm && settings.fallback === 'builtin' && !signal.aborted) {
        // Not cached: once the service heals, this shape gets its LLM render.
        return { ok: true, render: renderOf(analyzeBuiltin(input), 'builtin', fingerprint, `the LLM analyzer failed: ${message}`), cacheable: false };
      }
      return { ok: false, error: settings.llm ? `the LLM analyzer failed: ${message}` : `the render failed: ${message}` };
    } finally {
      metrics.duration.observe({ analyzer }, (performance.now() - started) / 1000);
    }
  }

  /** Shares one analysis among every row of a key, in this batch and concurrent ones. */
  function analyseOnce(key: string, input: RenderInput, fingerprint: string, force: boolean, signal: AbortSignal): Promise<Analysis> {
    const flightKey = force ? `force\u0000${key}` : key;
    let pending = inflight.get(flightKey);
    if (!pending) {
      pending = analyse(input, fingerprint, signal).finally(() => inflight.delete(flightKey));
      inflight.set(flightKey, pending);
    }
    return pending;
  }

  /** Renders already known for the rows' keys (this process's first, then the table). */
  async function renderedBefore(tx: Queryable, rows: repo.ClaimedActivity[], keys: string[], fingerprints: string[]): Promise<Map<string, SchemaRender>> {
    const found = new Map<string, SchemaRender>();
    const lookups = new Map<string, { tenantId: string; fingerprint: string }>();
    rows.forEach((row, i) => {
      if (row.processing_force) return;
      const hit = known.get(row.tenant_id, fingerprints[i]!);
      if (hit) found.set(keys[i]!, hit);
      else lookups.set(keys[i]!, { tenantId: row.tenant_id, fingerprint: fingerprints[i]! });
    });
    for (const c of await repo.cachedRenders(tx, analyzerKey, [...lookups.values()])) {
      const key = `${c.tenant_id}\u0000${c.fingerprint}`;
      found.set(key, c.render);
      known.remember(c.tenant_id, c.render);
    }
    return found;
  }

  function outcomeOf(row: repo.ClaimedActivity, analysis: Analysis): repo.RenderOutcome {
    const base = { tenant_id: row.tenant_id, id: row.id, attempts: row.processing_attempts };
    // A render found in, or just stored in, render_cache is stored by reference.
    if (analysis.ok) return { ...base, status: 'COMPLETED', render: analysis.render, cached: analysis.hit === true || analysis.cacheable, error: null, delay_ms: null };
    const retry = row.processing_attempts < settings.maxAttempts;
    return {
      ...base,
      status: retry ? 'PENDING' : 'FAILED',
      render: null,
      cached: false,
      error: analysis.error.slice(0, 2_000),
      delay_ms: retry ? settings.retryDelayMs * 2 ** (row.processing_attempts - 1) : null,
    };
  }

  const inputOf = (row: repo.ClaimedActivity): RenderInput => ({ data: row.data, dataSchema: row.data_schema, actionName: row.action_name, type: row.type });

  /**
   * One pass: locks due rows, stores at once every render that needs no network (cached or
   * built-in) in the same transaction, and marks the rest PROCESSING for the LLM, which is
   * asked after commit (a transaction never waits on the network). Returns rows taken.
   */
  async function pass(limit: number, signal: AbortSignal): Promise<number> {
    // PGlite has one connection, so a transaction there holds up every write until it ends: the
    // pass reads due rows without a lock and stores each outcome only if the row is still due
    // at the attempt it read (its one process has no other worker to race but its own loops).
    const unlocked = db.kind === 'pglite';
    const within = <T>(fn: (q: Queryable) => Promise<T>): Promise<T> => (unlocked ? fn(db) : db.transaction(fn));
    const taken = await within(async (tx) => {
      const rows = await repo.lockDue(tx, limit, { lock: !unlocked });
      if (rows.length === 0) return { count: 0, stored: [] as repo.StoredOutcome[], analyses: [] as Analysis[], done: rows, slow: rows };
      const fingerprints = rows.map((r) => fingerprintOf(r.data, r.data_schema));
      const keys = rows.map((r, i) => `${r.tenant_id}\u0000${fingerprints[i]}`);
      const cached = await renderedBefore(tx, rows, keys, fingerprints);
      const done: repo.ClaimedActivity[] = [];
      const analyses: Analysis[] = [];
      const slow: repo.ClaimedActivity[] = [];
      const fresh = new Map<string, { tenantId: string; render: SchemaRender }>();
      rows.forEach((row, i) => {
        const key = keys[i]!;
        const hit = row.processing_force ? undefined : cached.get(key) ?? (settings.llm ? undefined : fresh.get(key)?.render);
        if (hit) {
          done.push(row);
          analyses.push({ ok: true, render: hit, cacheable: false, hit: true });
        } else if (!settings.llm) {
          const analysis = analyseBuiltin(inputOf(row), fingerprints[i]!);
          if (analysis.ok) fresh.set(key, { tenantId: row.tenant_id, render: analysis.render });
          done.push(row);
          analyses.push(analysis);
        } else {
          slow.push(row);
        }
      });
      await repo.cacheRenders(tx, analyzerKey, [...fresh.values()]);
      for (const entry of fresh.values()) known.remember(entry.tenantId, entry.render);
      const outcomes = done.map((row, i) => outcomeOf({ ...row, processing_attempts: row.processing_attempts + 1 }, analyses[i]!));
      const stored = await repo.storeOutcomes(tx, analyzerKey, outcomes, unlocked ? 'read' : 'locked');
      return { count: rows.length, stored, analyses, done, slow: await repo.markProcessing(tx, slow, settings.leaseMs, { guard: unlocked }) };
    });
    publish(taken.stored, taken.analyses, taken.done);
    if (taken.slow.length > 0) await process(taken.slow, signal);
    return taken.count;
  }

  async function process(rows: repo.ClaimedActivity[], signal: AbortSignal): Promise<number> {
    const fingerprints = rows.map((r) => fingerprintOf(r.data, r.data_schema));
    const keys = rows.map((r, i) => `${r.tenant_id}\u0000${fingerprints[i]}`);
    const cached = await renderedBefore(db, rows, keys, fingerprints);
    const analyses = await Promise.all(rows.map((row, i): Analysis | Promise<Analysis> => {
      const hit = row.processing_force ? undefined : cached.get(keys[i]!);
      if (hit) return { ok: true, render: hit, cacheable: false, hit: true };
      return analyseOnce(keys[i]!, inputOf(row), fingerprints[i]!, row.processing_force, signal);
    }));
    if (signal.aborted) {
      await repo.release(db, rows.map((r) => ({ tenant_id: r.tenant_id, id: r.id, attempts: r.processing_attempts })));
      return 0;
    }
    const fresh = new Map<string, { tenantId: string; render: SchemaRender }>();
    analyses.forEach((a, i) => {
      if (a.ok && a.cacheable) fresh.set(keys[i]!, { tenantId: rows[i]!.tenant_id, render: a.render });
    });
    await repo.cacheRenders(db, analyzerKey, [...fresh.values()]);
    for (const entry of fresh.values()) known.remember(entry.tenantId, entry.render);
    const stored = await repo.storeOutcomes(db, analyzerKey, rows.map((row, i) => outcomeOf(row, analyses[i]!)));
    publish(stored, analyses, rows);
    return stored.length;
  }

  function publish(stored: repo.StoredOutcome[], analyses: Analysis[], rows: repo.ClaimedActivity[]) {
    const index = new Map(rows.map((r, i) => [`${r.tenant_id}\u0000${r.id}`, i]));
    const now = Date.now();
    for (const row of stored) {
      const analysis = analyses[index.get(`${row.tenant_id}\u0000${row.id}`)!]!;
      const render = row.schema_render;
      const completed = analysis.ok && analysis.hit ? 'cached' : render?.fallback_reason ? 'fallback' : 'completed';
      const outcome = row.processing_status === 'COMPLETED' ? completed : row.processing_status === 'PENDING' ? 'retry' : 'failed';
      metrics.renders.inc({ analyzer: render?.analyzer ?? 'none', strategy: render?.strategy ?? 'none', outcome });
      if (row.processing_status !== 'PENDING') metrics.lag.observe(Math.max(0, now - new Date(row.created_at).getTime()) / 1000);
    }
    const events = stored.filter((r) => r.processing_status !== 'PENDING').map(activityRendered);
    if (events.length > 0) bus.publish(events);
    if (stored.length < rows.length) logger.debug({ claimed: rows.length, stored: stored.length }, 'some renders were claimed again by another worker');
  }

  return { pass, process, analyzerKey };
}

export type RenderPipeline = ReturnType<typeof createRenderPipeline>;
