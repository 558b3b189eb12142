import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    setupFiles: ['tests/support/fail-on-console-error.ts', 'tests/support/cleanup-hooks.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
