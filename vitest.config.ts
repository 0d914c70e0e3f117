import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Cross-checks spawn osslsigncode, msiinfo and our bundled CLI as processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
