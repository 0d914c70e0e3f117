// Builds the self-contained entry points that are committed under dist/:
// dist/index.js (the verify action), dist/fill-patch-certificate.js (the fill action) and
// dist/cli.js (the command line). They must run with no node_modules present.
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const entries = [
  { in: 'src/action/main.ts', out: 'index' },
  { in: 'src/cli/main.ts', out: 'cli' },
  { in: 'src/action/fill-main.ts', out: 'fill-patch-certificate' },
].filter((e) => existsSync(e.in));

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'esm',
  // Some bundled CommonJS dependencies call require(); give ESM output a real one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  define: { __TOOL_VERSION__: JSON.stringify(version) },
  legalComments: 'none',
  sourcemap: false,
  logLevel: 'warning',
  charset: 'utf8',
});
