import { defineConfig } from 'vitest/config';

// Tests import the built packages (dist/) through the workspace links, exactly as
// users do; `npm test` builds first (tsc -b, then scripts/bundle.mjs; globalSetup
// brings the bundled entry points up to date for a run after a bare tsc -b).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['scripts/vitest-bundle.mjs'],
  },
});
