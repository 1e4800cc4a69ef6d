import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', 'firmware/**/build/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: running test files two at a time keeps CPU-heavy suites (training, Chromium)
    // from starving each other.
    maxWorkers: 2,
  },
});
