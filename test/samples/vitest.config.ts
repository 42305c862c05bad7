// `npm run test:samples`: executes every sample notebook with the headless runner and checks what
// its prose claims. Minutes long (each sample is sized to run in under 3 minutes on 2 cores), so
// it is not part of `npm test`, which checks the committed outputs instead.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/samples/**/*.test.ts'],
    testTimeout: 10 * 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup/nodeHost.ts'],
    // One sample at a time: each one uses the CPU fully, and run times are then comparable.
    fileParallelism: false,
  },
});
