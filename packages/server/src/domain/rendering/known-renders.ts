import type { Database } from '../../db/database.ts';
import type { KnownRender } from '../activities/activities.types.ts';
import type { Logger } from '../../logger.ts';
import { fingerprintOf } from './fingerprint.ts';
import type { RenderingMetrics } from './rendering.metrics.ts';
import { cachedRenders } from './rendering.repository.ts';
import type { SchemaRender } from './rendering.types.ts';

export interface KnownRendersDeps {
  db: Database;
  logger: Logger;
  /** The analyzer whose renders these are (render_cache.analyzer_key). */
  analyzerKey: string;
  /** (tenant, shape) pairs held at most; the oldest go first. */
  limit?: number;
  /** A render older than this is looked up again (a forced re-render on another node replaces it). */
  maxAgeMs?: number;
  /** A shape the cache table did not have is not asked for again sooner. */
  missRetryMs?: number;
}

interface Entry {
  known: KnownRender | null;
  at: number;
}

/** What a payload needs no render for: nothing, or an empty object, array or string (as EMPTY_PAYLOAD_SQL). */
function emptyPayload(data: unknown): boolean {
  if (data === null || data === undefined || data === '') return true;
  if (Array.isArray(data)) return data.length === 0;
  return typeof data === 'object' && Object.keys(data).length === 0;
}

/**
 * The renders this process knows, by (tenant, payload fingerprint), for one analyzer
 * (SPEC §6). The render worker reads and fills it; the writer uses it to store an activity
 * whose shape was rendered before as COMPLETED in its own INSERT, so a known shape costs no
 * job, no second row version and no second event. Shapes it does not know are looked up in
 * render_cache after the write, in the background, so the next write of that shape (on any
 * node) finds it; the write path itself never waits on a lookup.
 */
export function createKnownRenders({ db, logger, analyzerKey, limit = 5_000, maxAgeMs = 60_000, missRetryMs = 5_000 }: KnownRendersDeps) {
  const entries = new Map<string, Entry>();
  /** Keys to look up in render_cache, with their tenant and fingerprint. */
  const wanted = new Map<string, { tenantId: string; fingerprint: string }>();
  let lookingUp = false;

  const keyOf = (tenantId: string, fingerprint: string) => `${tenantId}\u0000${fingerprint}`;

  function set(key: string, fingerprint: string, render: SchemaRender | null) {
    entries.delete(key);
    entries.set(key, { known: render && { render, analyzerKey, fingerprint }, at: Date.now() });
    if (entries.size > limit) entries.delete(entries.keys().next().value!);
  }

  /** The render if it is known and fresh; null if known to be absent lately; undefined to ask the table. */
  function lookup(key: string): KnownRender | null | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    const age = Date.now() - entry.at;
    if (entry.known) return age < maxAgeMs ? entry.known : undefined;
    return age < missRetryMs ? null : undefined;
  }

  async function lookUpWanted() {
    if (lookingUp || wanted.size === 0) return;
    lookingUp = true;
    try {
      while (wanted.size > 0) {
        const batch = [...wanted.entries()].slice(0, 500);
        for (const [key] of batch) wanted.delete(key);
        const found = await cachedRenders(db, analyzerKey, batch.map(([, k]) => k));
        const byKey = new Map(found.map((c) => [keyOf(c.tenant_id, c.fingerprint), c.render]));
        // A render the worker stored meanwhile is newer than a miss read here.
        for (const [key, k] of batch) {
          if (byKey.has(key) || !entries.get(key)?.known) set(key, k.fingerprint, byKey.get(key) ?? null);
        }
      }
    } catch (err) {
      wanted.clear();
      logger.debug({ err }, 'known renders: the cache lookup failed; the render worker renders these shapes');
    } finally {
      lookingUp = false;
    }
  }

  return {
    /** A fresh render of this shape, or undefined. */
    get(tenantId: string, fingerprint: string): SchemaRender | undefined {
      return lookup(keyOf(tenantId, fingerprint))?.render as SchemaRender | undefined;
    },

    /** A render now in render_cache (stored or read there by the worker). */
    remember(tenantId: string, render: SchemaRender) {
      set(keyOf(tenantId, render.fingerprint), render.fingerprint, render);
    },

    /**
     * The render of each new activity whose shape is known (null for the rest and for empty
     * payloads); the unknown shapes are looked up in the background for the next write.
     */
    atWrite(tenantId: string, activities: ReadonlyArray<{ data?: unknown; data_schema?: unknown }>): (KnownRender | null)[] {
      let missed = false;
      const renders = activities.map((a) => {
        if (emptyPayload(a.data)) return null;
        const fingerprint = fingerprintOf(a.data, a.data_schema ?? null);
        const key = keyOf(tenantId, fingerprint);
        const known = lookup(key);
        if (known === undefined && wanted.size < limit) {
          wanted.set(key, { tenantId, fingerprint });
          missed = true;
        }
        return known ?? null;
      });
      if (missed) setImmediate(() => void lookUpWanted());
      return renders;
    },
  };
}

export type KnownRenders = ReturnType<typeof createKnownRenders>;

/** The writer's hook: known renders for new activities, counted in runlog_renders_total as outcome `at_write`. */
export function rendersAtWrite(known: KnownRenders, metrics: Pick<RenderingMetrics, 'renders'>) {
  return (tenantId: string, activities: ReadonlyArray<{ data?: unknown; data_schema?: unknown }>): (KnownRender | null)[] => {
    const renders = known.atWrite(tenantId, activities);
    const counts = new Map<SchemaRender, number>();
    for (const k of renders) if (k) counts.set(k.render as SchemaRender, (counts.get(k.render as SchemaRender) ?? 0) + 1);
    for (const [render, n] of counts) metrics.renders.inc({ analyzer: render.analyzer, strategy: render.strategy, outcome: 'at_write' }, n);
    return renders;
  };
}
