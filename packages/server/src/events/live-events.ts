/** The columns of a run row that never reach a client. */
interface RunLike {
  tenant_id: string;
  end_request_hash?: unknown;
  reported_step_count?: unknown;
}

/**
 * The live events every writer publishes after commit and the realtime hub delivers (SPEC §5).
 * One builder per event type, so REST, /ingest, notifications, hooks and jobs send the same shapes.
 * This module sits below both `domain/` and `realtime/` and imports neither.
 */
/** activity_rendered: an activity's render was stored, at that activity's seq (SPEC §6). */
export type LiveEventType = 'activity_created' | 'run_updated' | 'step_added' | 'activity_rendered';

export interface LiveEvent {
  tenantId: string;
  type: LiveEventType;
  /** The activity seq this event belongs to (0 for events without one). */
  seq: number;
  data: unknown;
}

/** The run as the API shows it: internal bookkeeping columns removed. */
export function toRunDto<R extends RunLike>(row: R) {
  const { tenant_id: _t, end_request_hash: _h, reported_step_count: _c, ...dto } = row;
  return dto;
}

/** A run's new state; `seq` is its transition activity's (0 without one). */
export function runUpdated(tenantId: string, run: RunLike, seq: number): LiveEvent {
  return { tenantId, type: 'run_updated', seq, data: toRunDto(run) };
}

export function activityCreated(tenantId: string, row: { seq: number }): LiveEvent {
  return { tenantId, type: 'activity_created', seq: row.seq, data: row };
}

/** Steps stored now for one run (resent steps are not repeated). */
export function stepsAdded(tenantId: string, runId: string, steps: readonly object[]): LiveEvent {
  return { tenantId, type: 'step_added', seq: 0, data: { run_id: runId, steps } };
}

/**
 * An activity's render stored (or its rendering failed): at the activity's own seq, with its
 * status and render, so a dashboard redraws that activity in place.
 */
export function activityRendered(row: {
  tenant_id: string; id: string; seq: number; processing_status: string; schema_render: unknown;
  processed_at: Date | null; processing_error: string | null; processing_attempts: number;
}): LiveEvent {
  return {
    tenantId: row.tenant_id,
    type: 'activity_rendered',
    seq: row.seq,
    data: {
      id: row.id,
      processing_status: row.processing_status,
      schema_render: row.schema_render,
      processed_at: row.processed_at,
      processing_error: row.processing_error,
      processing_attempts: row.processing_attempts,
    },
  };
}
