import { defineConfig } from 'vitest/config';

/**
 * The reliability and security suite (tests/resilience, issue #12): real server processes, a real
 * SMTP sink, real SQLite files. Files run one after another (each starts its own servers).
 */
export default defineConfig({
  test: {
    include: ['tests/resilience/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['tests/resilience/support/global-setup.ts'],
    setupFiles: ['tests/support/cleanup-hooks.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
