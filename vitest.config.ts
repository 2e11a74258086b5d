import { defineConfig } from 'vitest/config';

// Tests import the built packages (dist/) through the workspace links, exactly as
// users do; `npm test` builds first.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
