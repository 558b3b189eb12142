import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    // Each test's database starts as a copy of one migrated once (tests/support/db.ts).
    globalSetup: ['tests/support/db-template.ts'],
    setupFiles: ['tests/support/fail-on-console-error.ts', 'tests/support/cleanup-hooks.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
