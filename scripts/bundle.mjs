// Builds the entry points that are committed under dist/: dist/index.js (the verify action),
// dist/fill-patch-certificate.js (the fill action) and dist/cli.js (the command line), with the
// code they share and the code they load on demand in dist/chunk-*.js beside them. They must run
// with no node_modules present.
import { build } from 'esbuild';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const entries = [
  { in: 'src/action/main.ts', out: 'index' },
  { in: 'src/cli/main.ts', out: 'cli' },
  { in: 'src/action/fill-main.ts', out: 'fill-patch-certificate' },
].filter((e) => existsSync(e.in));

// The hash worker (src/verify/hash-worker.ts) is bundled first, as CommonJS, and inlined into the
// entry points as a string: worker-pool.ts starts it with `new Worker(source, { eval: true })`,
// so no separate worker script has to
// be found at run time.
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

// Chunk names carry a content hash, so a chunk the build no longer makes would stay behind (and
// be committed) unless every old script is removed first; the JSON data files are copied anew.
for (const name of readdirSync('dist')) {
  if (name.endsWith('.js')) rmSync(`dist/${name}`);
}

await build({
  entryPoints: entries,
  outdir: 'dist',
  // Start-up (issue 19): V8 compiles every script a run imports, so code that `verify` does not
  // need (inspect, fill, SARIF, the job summary, the finding descriptions, HTTP) is split into
  // chunks loaded by import() when used; code the three entry points share is a chunk too.
  // Chunks sit beside the entry points: dist/index.js is the action's `runs.main`, and
  // src/trust/windows-roots.ts finds its data files beside the running module.
  splitting: true,
  chunkNames: 'chunk-[hash]',
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
