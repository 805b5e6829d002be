import type { Database } from '../../db/database.ts';
import type { NewActivity } from '../../domain/activities/activities.types.ts';
import type { AuthContext } from '../../domain/auth/auth.types.ts';
import type { Intent } from '../../domain/write/intents.ts';
import type { WriteService } from '../../domain/write/write.service.ts';
import type { LiveEvent } from '../../events/live-events.ts';
import { attributes, type Attributes, type KeyValue } from '../otlp/otlp.values.ts';
import { describeRejections, type ExportOutcome } from '../otlp/otlp.service.ts';
import * as repo from './telemetry.repository.ts';
import { mapTelemetryEvent, mapUsagePoint, USAGE_METRICS, type LogRecord, type NumberDataPoint, type UsagePoint } from './telemetry.mapping.ts';

export interface TelemetryServiceDeps {
  db: Database;
  writes: Pick<WriteService, 'apply'>;
  publish: (events: LiveEvent[]) => void;
}

interface Resourced { resource?: { attributes?: KeyValue[] | null } | null }
interface LogsRequest { resourceLogs?: (Resourced & { scopeLogs?: { logRecords?: LogRecord[] | null }[] | null })[] | null }
interface MetricsRequest {
  resourceMetrics?: (Resourced & {
    scopeMetrics?: { metrics?: { name?: string | null; sum?: { dataPoints?: NumberDataPoint[] | null; aggregationTemporality?: number | null } | null; gauge?: { dataPoints?: NumberDataPoint[] | null } | null }[] | null }[] | null;
  })[] | null;
}

function* eachResource<T extends Resourced>(list: T[] | null | undefined): Generator<[T, Attributes]> {
  for (const item of list ?? []) yield [item, attributes(item.resource?.attributes)];
}

/** opentelemetry-proto metrics.proto AggregationTemporality. */
const AGGREGATION_TEMPORALITY_DELTA = 1;

export function createTelemetryService({ db, writes, publish }: TelemetryServiceDeps) {
  return {
    /**
     * POST /v1/logs: Claude Code events become activities of their session. Tool events land
     * on the hook's activity of the same tool_use_id (or make it, for the hook to take over),
     * so a tool call is one activity whichever arrives first. Other records are ignored.
     */
    async exportLogs(auth: AuthContext, request: LogsRequest): Promise<ExportOutcome> {
      const toMerge: NewActivity[] = [];
      const toAdd = new Map<string, NewActivity>();
      const reasons: string[] = [];
      for (const [rl, resource] of eachResource(request.resourceLogs)) {
        for (const sl of rl.scopeLogs ?? []) {
          for (const record of sl.logRecords ?? []) {
            const mapped = mapTelemetryEvent(record, resource);
            if (!mapped) continue;
            if ('rejected' in mapped) { reasons.push(mapped.rejected); continue; }
            const activity = mapped.activity;
            if (mapped.merge) toMerge.push(activity);
            toAdd.set(activity.id, activity);
          }
        }
      }
      if (toAdd.size > 0) {
        const { results, events } = await db.transaction(async (tx) => {
          const merged = new Set(await repo.mergeTelemetry(tx, auth.tenantId, toMerge));
          const intents: Intent[] = [...toAdd.values()].filter((a) => !merged.has(a.id)).map((a) => ({
            type: 'activity.create', id: a.id, body: { ...a, occurred_at: (a.occurred_at as Date).toISOString() } as Record<string, unknown>, auth, at: '',
          }));
          return writes.apply(tx, auth.tenantId, intents);
        });
        publish(events);
        for (const r of results) if (r.status >= 400) reasons.push(`activity ${r.id}: ${r.message ?? r.error}`);
      }
      return describeRejections(reasons.length, reasons, 'log record');
    },

    /** POST /v1/metrics: claude_code.cost.usage and claude_code.token.usage per session and model; other metrics are ignored. */
    async exportMetrics(auth: AuthContext, request: MetricsRequest): Promise<ExportOutcome> {
      const points: UsagePoint[] = [];
      const reasons: string[] = [];
      for (const [rm, resource] of eachResource(request.resourceMetrics)) {
        for (const sm of rm.scopeMetrics ?? []) {
          for (const metric of sm.metrics ?? []) {
            if (!metric.name || !USAGE_METRICS[metric.name]) continue;
            // Claude Code exports deltas by default; a gauge or cumulative sum is a running value.
            const delta = metric.sum?.aggregationTemporality === AGGREGATION_TEMPORALITY_DELTA;
            for (const point of metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? []) {
              const mapped = mapUsagePoint(metric.name, point, delta, resource);
              if (typeof mapped === 'string') reasons.push(mapped);
              else points.push(mapped);
            }
          }
        }
      }
      await repo.upsertUsage(db, auth.tenantId, points);
      return describeRejections(reasons.length, reasons, 'data point');
    },
  };
}

export type TelemetryService = ReturnType<typeof createTelemetryService>;
