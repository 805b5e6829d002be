import { randomUUID } from 'node:crypto';
import { clientTime } from '../../lib/time.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import { checkDataSchema } from '../rendering/data-schema.ts';
import type { CreateActivityBody } from './activities.schemas.ts';
import type { NewActivity } from './activities.types.ts';

/** An API body as a row to append: defaults, the caller as user, client time checked. */
export function toNewActivity(auth: AuthContext, body: CreateActivityBody, field = 'occurred_at'): NewActivity {
  checkDataSchema(field.replace(/occurred_at$/, 'data_schema'), body.data_schema);
  return {
    ...body,
    id: body.id ?? randomUUID(),
    type: body.type ?? 'activity',
    user_id: body.user_id ?? auth.userId,
    project_id: body.project_id ?? auth.projectId,
    occurred_at: clientTime(field, body.occurred_at),
  };
}
