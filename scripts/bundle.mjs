// Builds the self-contained entry points that are committed under dist/:
// dist/index.js (the verify action), dist/fill-patch-certificate.js (the fill action) and
// dist/cli.js (the command line). They must run with no node_modules present.
import { build } from 'esbuild';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const entries = [
  { in: 'src/action/main.ts', out: 'index' },
  { in: 'src/cli/main.ts', out: 'cli' },
  { in: 'src/action/fill-main.ts', out: 'fill-patch-certificate' },
].filter((e) => existsSync(e.in));

// The hash worker (src/verify/hash-worker.ts) is bundled first, as CommonJS, and inlined into the
// entry points as a string: worker-pool.ts starts it with `new Worker(source, { eval: true })`,
// so the entry points stay single files.
const worker = await build({
  entryPoints: ['src/verify/hash-worker.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'cjs',
  write: false,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

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
  define: {
    __TOOL_VERSION__: JSON.stringify(version),
    __HASH_WORKER_SOURCE__: JSON.stringify(worker.outputFiles[0].text),
  },
  legalComments: 'none',
  // Start-up: V8 compiles the whole file before running it; minified, `verify` of a small file
  // starts about 12 ms sooner (bench/, BENCHMARKS.md). Error names are set explicitly, so
  // renamed identifiers change no message.
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
  charset: 'utf8',
});

// The built-in Windows root list is data read on first use (src/trust/windows-roots.ts looks for
// it beside the running module), not code every run must compile: it ships beside the bundles.
copyFileSync('src/trust/windows-roots.json', 'dist/windows-roots.json');
copyFileSync('src/trust/windows-roots-certificates.json', 'dist/windows-roots-certificates.json');
