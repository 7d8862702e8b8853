import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts', 'channels/**/*.test.ts'],
    // One redis-server for the whole run, started and stopped by the suite itself.
    globalSetup: ['test/support/redis-global-setup.ts'],
    // bin/parley.js runs the sources, not a dist/ left by an earlier build (test/build runs the build).
    env: { PARLEY_DEV: '1' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
