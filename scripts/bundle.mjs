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

// Start-up (issue 19): pkijs is 302 KB of minified code that V8 must parse before anything runs
// (about 35 ms of a 230 ms run, parsing, not running it: wrapping it so that it is evaluated
// lazily saved nothing), and verifying a package in the usual shapes never calls it: the
// signature, its timestamps, its certificates and PEM trust bundles are read by our own DER
// readers, and pkijs is their fallback for the shapes they do not model (and the reader of
// RSASSA-PSS parameters, PKCS#7 trust bundles, inspect and revocation). So pkijs is its own
// entry point, dist/pkijs.js, and every `import * as pkijs from 'pkijs'` in the bundle gets a
// stand-in whose exports are getters that load dist/pkijs.js synchronously on first use
// (require() of an ES module: Node >= 20.19, which warns of it only under
// --trace-require-module). It shares asn1js with the rest through a common chunk, so its ASN.1
// objects are the same classes ours are. The tests run the sources, with pkijs itself.
const PKIJS_EXPORTS = Object.keys(await import('pkijs'));
const lazyPkijs = {
  name: 'lazy-pkijs',
  setup(b) {
    b.onResolve({ filter: /^pkijs-entry$/ }, () => ({ path: 'pkijs', namespace: 'pkijs-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'pkijs-entry' }, () => ({
      contents: "export * from 'pkijs';",
      resolveDir: process.cwd(),
      loader: 'js',
    }));
    // The entry's own import is pkijs itself; every other one gets the stand-in.
    b.onResolve({ filter: /^pkijs$/ }, (args) =>
      args.namespace === 'pkijs-entry' ? undefined : { path: 'pkijs', namespace: 'pkijs-lazy' },
    );
    b.onResolve({ filter: /^\.\/pkijs\.js$/ }, (args) =>
      args.namespace === 'pkijs-lazy' ? { path: './pkijs.js', external: true } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'pkijs-lazy' }, () => ({
      // CommonJS, so that each export can be a getter; `require` is the banner's, made from the
      // chunk's own URL, and every chunk sits beside dist/pkijs.js.
      contents: [
        'let pkijs;',
        "const load = () => (pkijs ??= require('./pkijs.js'));",
        `for (const name of ${JSON.stringify(PKIJS_EXPORTS)})`,
        '  Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });',
      ].join('\n'),
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [...entries, { in: 'pkijs-entry', out: 'pkijs' }],
  plugins: [lazyPkijs],
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
