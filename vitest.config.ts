import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

export default defineConfig({
  define: { __TOOL_VERSION__: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    // Stops the run with one clear message when a tool the cross-checks spawn is missing.
    globalSetup: ['test/support/required-tools.ts'],
    // Fixed fast-check seed (FC_SEED overrides), so that a property failure replays exactly.
    setupFiles: ['test/support/fast-check-seed.ts'],
    // Cross-checks spawn osslsigncode, msiinfo and our bundled CLI as processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
