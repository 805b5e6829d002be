import type { Logger } from '../logger.ts';
import type { RetentionService } from '../domain/retention/retention.service.ts';

/** retention.prune (daily): deletes what each project's retention_days no longer keeps. */
export function pruneExpiredJob({ retention, logger }: { retention: Pick<RetentionService, 'prune'>; logger: Logger }) {
  return async (): Promise<void> => {
    const result = await retention.prune();
    if (result.runs + result.activities > 0) logger.info({ pruned: result }, 'retention pruned expired rows');
  };
}
