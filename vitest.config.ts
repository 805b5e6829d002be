import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Dashboard component tests are .tsx and pick a DOM with a `// @vitest-environment happy-dom` comment.
    include: ['packages/*/test/**/*.test.{ts,tsx}'],
    // Migrates one embedded database that every test file starts from.
    globalSetup: ['packages/server/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each file starts its own databases (a PGlite worker, a PostgreSQL schema): two at a time fits 2 cores.
    maxWorkers: 2,
    pool: 'forks',
  },
});
