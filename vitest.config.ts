import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // The Node host (kernel/host/) on every test's thread, as the kernel's entry points install it.
    setupFiles: ['test/setup/nodeHost.ts'],
  },
});
