/**
 * An activity as clients see it, in SQL. A render is stored by reference when it is the
 * render its shape has in render_cache (render_analyzer, render_fingerprint; migration 0019),
 * else in schema_render: every query that hands activity rows out reads them through these,
 * never `*`, so both kinds come out as `schema_render`.
 */

/** The render of activity row `a`: its own, or the cached render it points at (a primary-key lookup). */
export const renderOf = (a: string) =>
  `CASE WHEN ${a}.render_fingerprint IS NULL THEN ${a}.schema_render ELSE (SELECT c.render FROM render_cache c
     WHERE c.tenant_id = ${a}.tenant_id AND c.analyzer_key = ${a}.render_analyzer AND c.fingerprint = ${a}.render_fingerprint) END`;

const BEFORE_RENDER = ['tenant_id', 'id', 'seq', 'project_id', 'workspace_id', 'user_id', 'type', 'action_name',
  'action_description', 'target_name', 'status', 'duration_ms', 'is_automated', 'priority', 'source', 'session_id',
  'run_id', 'work_unit_id', 'data', 'data_schema', 'processing_status'];
const AFTER_RENDER = ['processed_at', 'processing_error', 'processing_attempts', 'occurred_at', 'created_at',
  'processing_after', 'processing_force'];

/** Every column of activity row `a`, the render resolved. */
export const activityColumns = (a: string) =>
  [...BEFORE_RENDER.map((c) => `${a}.${c}`), `${renderOf(a)} AS schema_render`, ...AFTER_RENDER.map((c) => `${a}.${c}`)].join(', ');

/** Every column but the render, for a statement whose caller knows the render already. */
export const COLUMNS_BUT_RENDER = [...BEFORE_RENDER, ...AFTER_RENDER].join(', ');

/** The processing fields of activity row `a` (the processing route, activity_rendered). */
export const processingColumns = (a: string) =>
  `${a}.id, ${a}.seq, ${a}.processing_status, ${renderOf(a)} AS schema_render, ${a}.processed_at, ${a}.processing_error, ${a}.processing_attempts`;
