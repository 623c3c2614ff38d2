import { defineConfig } from 'vitest/config';

// One suite for the whole repository. `*.int.test.ts` files talk to real servers (PostgreSQL,
// rsyslog, SoftHSM2, ...) that `scripts/test.ts` (and `.ci/run`) make sure are present.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'bench/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: process.env.CI === undefined ? ['default'] : ['default'],
  },
});
