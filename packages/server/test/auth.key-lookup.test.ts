import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/database.ts';
import { createAuthService } from '../src/domain/auth/auth.service.ts';
import { createLogger } from '../src/logger.ts';
import { openTestDatabase } from './helpers.ts';

describe('API key lookups', () => {
  it('clients of one key that miss the cache together share one database lookup', async () => {
    const testDb = await openTestDatabase('pglite');
    try {
      // The real database, with the key lookups it is asked for counted.
      let lookups = 0;
      const counted: Database = {
        ...testDb.db,
        query: (text, params) => {
          if (/FROM api_keys WHERE prefix/.test(text)) lookups++;
          return testDb.db.query(text, params);
        },
      };
      const auth = createAuthService({ db: counted, logger: createLogger('silent'), keyCacheMs: 10_000 });
      const tenant = await auth.ensureTenant('lookups');
      const { key } = await auth.createKey({ tenantId: tenant.id, name: 't', scopes: ['read'], createdBy: null });
      const answers = await Promise.all(Array.from({ length: 20 }, () => auth.authenticate(`Bearer ${key}`)));
      expect(answers.every((a) => a.tenantId === tenant.id)).toBe(true);
      expect(lookups).toBe(1);
      await expect(auth.authenticate('Bearer rlk_unknownunknownunknownunknownunknown')).rejects.toMatchObject({ statusCode: 401 });
      await expect(auth.authenticate('Bearer rlk_unknownunknownunknownunknownunknown')).rejects.toMatchObject({ statusCode: 401 });
      expect(lookups).toBe(3); // a failed lookup is not remembered
    } finally {
      await testDb.drop();
    }
  });
});
