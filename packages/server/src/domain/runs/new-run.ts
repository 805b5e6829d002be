import { randomUUID } from 'node:crypto';
import { ValidationError } from '../../errors.ts';
import { clientTime } from '../../lib/time.ts';
import type { AuthContext } from '../auth/auth.types.ts';
import type { CreateRunBody } from './runs.schemas.ts';
import { stateOf } from './runs.types.ts';

/** A create request as the row to insert: defaults, the caller as user, client time checked. */
export function toNewRun(auth: AuthContext, body: CreateRunBody, now: Date, startedAtField = 'started_at') {
  const status = body.status ?? 'pending';
  const startedAt = clientTime(startedAtField, body.started_at, now);
  if (startedAt && status !== 'running') {
    throw new ValidationError(startedAtField, 'is only accepted with status "running" (a pending run has not started)');
  }
  return {
    ...body,
    id: body.id ?? randomUUID(),
    user_id: body.user_id ?? auth.userId,
    project_id: body.project_id ?? auth.projectId,
    is_synthetic: body.is_synthetic ?? false,
    status,
    state: stateOf(status),
    started_at: status === 'running' ? startedAt ?? now : null,
  };
}
