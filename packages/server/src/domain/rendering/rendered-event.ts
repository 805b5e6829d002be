import type { LiveEvent } from '../../realtime/event-bus.ts';
import type { SchemaRender } from './rendering.types.ts';

/**
 * activity_rendered (issue 10 item 7): at the activity's own seq, with its status and render,
 * so a dashboard redraws that activity in place.
 */
export function renderedEvent(row: {
  tenant_id: string; id: string; seq: number; processing_status: string; schema_render: SchemaRender | null;
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
