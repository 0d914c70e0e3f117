#!/usr/bin/env node
// Benchmark of `dist/cli.js verify` against `osslsigncode verify` and `openssl dgst -sha256`.
//
//   node bench/run.mjs                 build the inputs (first run only) and measure everything
//   node bench/run.mjs --runs 9        more runs per command (default 5, after 1 warm-up run)
//   node bench/run.mjs --only msi-1g,startup   some cases only (names in the table)
//   node bench/run.mjs --rebuild       rebuild the inputs in bench/out/ from scratch
//   node bench/run.mjs --markdown      also print the table as Markdown (for BENCHMARKS.md)
//   node bench/run.mjs --cli FILE      measure another build of the CLI instead of dist/cli.js
//
// Inputs are built on the fly under bench/out/ (git-ignored, about 5.5 GiB): a stored cabinet of
// incompressible bytes (gcab) embedded as the cabinet stream of a wixl MSI (msibuild -a), signed
// by osslsigncode with the fixture PKI. Each command runs as its own process under
// /usr/bin/time -v: wall time is measured here around the whole process (start-up included),
// peak RSS is the kernel's figure that /usr/bin/time reports. The commands of one case run in
// turn (A B C A B C ...) so that ratios are taken run by run; every figure is a median.
//
// Needs: node >= 20, openssl, osslsigncode, wixl, msibuild, gcab, /usr/bin/time; `npm run bundle`
// first (dist/cli.js is what is measured). Nothing here is part of `npm test`.
import { execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(REPO, 'bench/out');
const PKI = join(REPO, 'fixtures/pki');
const CLI_ARG = process.argv.indexOf('--cli');
// Another build of the CLI to measure (e.g. a copy of dist/cli.js from before a change).
const CLI = CLI_ARG > 0 ? resolvePath(process.argv[CLI_ARG + 1]) : join(REPO, 'dist/cli.js');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

// ---- arguments ------------------------------------------------------------------------------
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
if (args.includes('-h') || args.includes('--help')) {
  process.stdout.write(
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 9)
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n') + '\n',
  );
  process.exit(0);
}
const RUNS = Number(option('--runs') ?? 5);
const WARMUP = 1;
const ONLY = option('--only')?.split(',') ?? null;
const MARKDOWN = args.includes('--markdown');
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
if (args.includes('--rebuild')) rmSync(OUT, { recursive: true, force: true });
if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run bundle` first');

// ---- building the inputs --------------------------------------------------------------------
mkdirSync(OUT, { recursive: true });
const out = (name) => join(OUT, name);
const log = (message) => process.stderr.write(`==> ${message}\n`);

function sh(script) {
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: OUT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Runs `make` unless `file` exists already (inputs are reused between runs of the bench). */
function ensure(file, what, make) {
  if (existsSync(out(file))) return;
  log(`building ${file} (${what})`);
  const started = performance.now();
  make(out(`${file}.tmp`));
  sh(`mv ${JSON.stringify(out(`${file}.tmp`))} ${JSON.stringify(out(file))}`);
  log(
    `  ${file}: ${(statSync(out(file)).size / MiB).toFixed(1)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

/** Deterministic incompressible bytes: AES-128-CTR of zeros under a key derived from `seed`. */
function pseudoRandom(file, bytes, seed) {
  const key = (seed.toString(16).padStart(2, '0') + '0102030405060708090a0b0c0d0e0f').slice(0, 32);
  sh(
    `head -c ${bytes} /dev/zero | openssl enc -aes-128-ctr -nosalt -K ${key} -iv 00000000000000000000000000000000 > '${file}'`,
  );
}

const SIGN = `osslsigncode sign -certs '${PKI}/signer.pem' -key '${PKI}/signer.key' -ac '${PKI}/chain.pem' -h sha256`;

/** A stored (uncompressed) cabinet holding one file of `bytes` incompressible bytes. */
function storedCab(file, bytes, seed) {
  const dir = `${file}.d`;
  sh(`rm -rf '${dir}' && mkdir -p '${dir}'`);
  pseudoRandom(`${dir}/payload.bin`, bytes, seed);
  sh(`cd '${dir}' && gcab -c '${file}' payload.bin && cd .. && rm -rf '${dir}'`);
}

const BIG_CASES = ['msi-1g', 'msi-1g-dse', 'cab-1g', 'two-1g', 'rss'];
const wanted = (name) => !ONLY || ONLY.includes(name);
const SMALL_COUNT = 100;
const smallFiles = Array.from({ length: SMALL_COUNT }, (_, i) =>
  out(`small/small-${String(i).padStart(3, '0')}.msi`),
);
// Issue 19: a release's many small files. 1,000 copies of the 19 KiB signed fixture MSI.
const TINY_COUNT = 1000;
const tinyFiles = Array.from({ length: TINY_COUNT }, (_, i) =>
  out(`tiny/tiny-${String(i).padStart(4, '0')}.msi`),
);
// The same with an RFC 3161 timestamp, as released files carry (fixtures/msi/signed-timestamped.msi).
const tinyTimestampedFiles = Array.from({ length: TINY_COUNT }, (_, i) =>
  out(`tiny-ts/tiny-ts-${String(i).padStart(4, '0')}.msi`),
);

// The verify cases' inputs (about 5.5 GiB), built only when one of those cases runs.
function buildVerifyInputs() {
  // The database: a small wixl package with an embedded cabinet stream "product.cab".
  ensure('base.msi', 'wixl database with an embedded cabinet', (file) => {
    const dir = out('base.d');
    sh(`rm -rf '${dir}' && mkdir -p '${dir}' && printf 'bench\\r\\n' > '${dir}/readme.txt'`);
    pseudoRandom(`${dir}/payload.bin`, 6000, 0);
    const wxs = readFileSync(join(REPO, 'fixtures/src/product.wxs.in'), 'utf8')
      .replace('@PRODUCT_CODE@', '{6F1A0B2C-1D3E-4F50-8A61-0000000009B1}')
      .replace('@PRODUCT_NAME@', 'verify-authenticode benchmark')
      .replace('@EMBED@', 'yes')
      .replace('@CABINET@', 'product.cab');
    writeFileSync(`${dir}/product.wxs`, wxs);
    sh(`cd '${dir}' && wixl -o '${file}' product.wxs && cd .. && rm -rf '${dir}'`);
  });

  /**
   * An MSI whose embedded cabinet stream is replaced by a stored cabinet of `bytes` payload
   * bytes (the package's File table no longer matches it; Authenticode does not care).
   */
  function bigMsi(name, bytes, seed, signOptions = '') {
    ensure(
      name,
      `${(bytes / MiB).toFixed(0)} MiB payload, signed${signOptions ? ` ${signOptions}` : ''}`,
      (file) => {
        storedCab(`${file}.cab`, bytes, seed);
        sh(
          `cp '${out('base.msi')}' '${file}.unsigned' && msibuild '${file}.unsigned' -a product.cab '${file}.cab' && ` +
            `rm '${file}.cab' && ${SIGN} ${signOptions} -in '${file}.unsigned' -out '${file}' >/dev/null && rm '${file}.unsigned'`,
        );
      },
    );
  }

  const GIB_PAYLOAD = GiB - 64 * 1024; // the signed package is then just under 1 GiB
  if (BIG_CASES.some(wanted)) buildBigInputs();
  function buildBigInputs() {
    bigMsi('msi-1g.msi', GIB_PAYLOAD, 1);
    bigMsi('msi-1g-dse.msi', GIB_PAYLOAD, 2, '-add-msi-dse');
    bigMsi('msi-100m.msi', 100 * MiB, 3);
    bigMsi('msi-1.9g.msi', Math.floor(1.9 * GiB), 4);
    ensure('cab-1g.cab', 'stored cabinet, 1 GiB payload, signed', (file) => {
      storedCab(`${file}.unsigned`, GIB_PAYLOAD, 5);
      sh(`${SIGN} -in '${file}.unsigned' -out '${file}' >/dev/null && rm '${file}.unsigned'`);
    });
  }
  if (wanted('small-100'))
    ensure('small', `${SMALL_COUNT} signed 2 MiB MSIs`, (dir) => {
      sh(`mkdir -p '${dir}'`);
      storedCab(`${dir}/cab`, 2 * MiB - 64 * 1024, 6);
      sh(
        `cp '${out('base.msi')}' '${dir}/unsigned.msi' && msibuild '${dir}/unsigned.msi' -a product.cab '${dir}/cab'`,
      );
      for (let i = 0; i < SMALL_COUNT; i++) {
        const n = String(i).padStart(3, '0');
        sh(`${SIGN} -in '${dir}/unsigned.msi' -out '${dir}/small-${n}.msi' >/dev/null`);
      }
      sh(`rm '${dir}/unsigned.msi' '${dir}/cab'`);
    });
  if (wanted('tiny-1000')) {
    ensure('tiny', `${TINY_COUNT} copies of fixtures/msi/signed-sha256.msi`, (dir) => {
      sh(`mkdir -p '${dir}'`);
      for (const file of tinyFiles) {
        copyFileSync(join(REPO, 'fixtures/msi/signed-sha256.msi'), join(dir, basename(file)));
      }
    });
  }
  if (wanted('tiny-ts-1000')) {
    ensure('tiny-ts', `${TINY_COUNT} copies of fixtures/msi/signed-timestamped.msi`, (dir) => {
      sh(`mkdir -p '${dir}'`);
      for (const file of tinyTimestampedFiles) {
        copyFileSync(join(REPO, 'fixtures/msi/signed-timestamped.msi'), join(dir, basename(file)));
      }
    });
  }
}
if ([...BIG_CASES, 'small-100', 'tiny-1000', 'tiny-ts-1000'].some(wanted)) buildVerifyInputs();

// ---- PE input (issue 16) ------------------------------------------------------------------------
// A PE image with a large overlay (a self-extracting installer's shape): the tiny x64 fixture
// program followed by just under 1 GiB of incompressible bytes, signed.
if (wanted('pe-1g')) {
  ensure('pe-1g.exe', 'x64 EXE with a 1 GiB overlay, signed', (file) => {
    pseudoRandom(`${file}.overlay`, GiB - 64 * 1024, 7);
    sh(
      `cat '${join(REPO, 'fixtures/pe/unsigned-x64.exe')}' '${file}.overlay' > '${file}.unsigned' && rm '${file}.overlay' && ` +
        `${SIGN} -in '${file}.unsigned' -out '${file}' >/dev/null && rm '${file}.unsigned'`,
    );
  });
}

// ---- payload inputs (issue 17) ---------------------------------------------------------------
/**
 * Moderately compressible bytes (about 2:1 under LZX and MSZIP, like installer payloads): runs
 * sampled from a pool of letters and noise, with noise between runs. Deterministic.
 */
function payloadBytes(bytes, seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const pool = Buffer.alloc(MiB);
  for (let i = 0; i < pool.length; i++)
    pool[i] = next() % 3 === 0 ? next() & 255 : 0x61 + (next() % 16);
  const data = Buffer.alloc(bytes);
  let p = 0;
  while (p < bytes) {
    const r = next();
    if (r % 4 === 0) {
      data[p++] = r >>> 24;
      continue;
    }
    const length = Math.min(4 + ((r >>> 8) % 60), bytes - p);
    const from = (r >>> 12) % (pool.length - 64);
    pool.copy(data, p, from, from + length);
    p += length;
  }
  return data;
}
const PAYLOAD_BYTES = GiB;
// LZX folders of 32 MiB: the fixture encoder is slow (about 1 MB/s), so one folder is encoded
// once and the cabinet holds 32 copies of it; each folder is its own LZX stream (a reset), as in
// cabinets that makecab splits into folders.
const LZX_FOLDER_BYTES = 32 * MiB;
if (wanted('payload-mszip')) {
  ensure('payload-mszip-1g.cab', 'gcab -z, 1 GiB of 2:1-compressible bytes in one file', (file) => {
    const dir = `${file}.d`;
    sh(`rm -rf '${dir}' && mkdir -p '${dir}'`);
    writeFileSync(`${dir}/payload.bin`, payloadBytes(PAYLOAD_BYTES, 11));
    sh(`cd '${dir}' && gcab -c -z -n '${file}' payload.bin && cd .. && rm -rf '${dir}'`);
  });
}
if (wanted('payload-lzx')) {
  const { lzxCompress } = await import(join(REPO, 'fixtures/tools/lzx-encoder.mjs'));
  const { writeCabinet } = await import(join(REPO, 'fixtures/tools/cab-writer.mjs'));
  ensure('payload-lzx-1g.cab', 'our LZX encoder, 2^21 window, E8, 32 folders of 32 MiB', (file) => {
    const blocks = lzxCompress(payloadBytes(LZX_FOLDER_BYTES, 12), {
      windowBits: 21,
      blocks: [
        { type: 'aligned', size: MiB },
        { type: 'verbatim', size: MiB },
      ],
      e8FileSize: 12_000_000,
      chainLimit: 4,
    });
    const folders = Array.from({ length: PAYLOAD_BYTES / LZX_FOLDER_BYTES }, (_, i) => ({
      compression: 'lzx',
      windowBits: 21,
      blocks,
      files: [{ name: `part${String(i).padStart(2, '0')}.bin`, size: LZX_FOLDER_BYTES }],
    }));
    writeFileSync(file, writeCabinet({ folders }));
  });
}

// A reader of every stream of a compound file, through src/cfb (issue 3's memory requirement),
// and the payload extractor (issue 17).
const READ_ALL = out('read-all-streams.mjs');
const EXTRACT_PAYLOAD = out('extract-payload.mjs');
{
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(REPO, 'bench/read-all-streams.ts')],
    outfile: READ_ALL,
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    format: 'esm',
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(REPO, 'bench/extract-payload.ts')],
    outfile: EXTRACT_PAYLOAD,
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    format: 'esm',
    logLevel: 'warning',
  });
}

// ---- measuring ------------------------------------------------------------------------------
/** One process under /usr/bin/time -v: wall seconds (measured here) and peak RSS in MiB. */
function runOnce(command) {
  const timeFile = out('time.txt');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, ...command.argv], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const report = readFileSync(timeFile, 'utf8');
      const rssKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(report)?.[1]);
      const user = Number(/User time \(seconds\): ([\d.]+)/.exec(report)?.[1]);
      const system = Number(/System time \(seconds\): ([\d.]+)/.exec(report)?.[1]);
      if (code !== (command.exitCode ?? 0)) {
        reject(
          new Error(`${command.label} exited with ${code}: ${command.argv.join(' ')}\n${stderr}`),
        );
        return;
      }
      resolve({ wall, cpu: user + system, rss: rssKiB / 1024 });
    });
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
};

/** What a shell step that verifies each file with its own osslsigncode process costs. */
const osslsigncodeLoop = (files, extra = '') => ({
  label: 'osslsigncode, one process each',
  argv: [
    'sh',
    '-c',
    `for f; do osslsigncode verify -CAfile '${PKI}/trusted-roots.pem' ${extra} -in "$f" >/dev/null || exit 1; done`,
    'sh',
    ...files,
  ],
});
const ours = (...files) => ({
  label: 'ours',
  argv: [
    process.execPath,
    CLI,
    'verify',
    ...files,
    '--signer',
    `${PKI}/signer.pem`,
    '--trusted-roots',
    `${PKI}/trusted-roots.pem`,
    '--quiet',
  ],
});
// The artifact's own verification only: the payload walk (issue 17, on by default as `warn`)
// reads every cabinet a second time; the large-file targets are for the outer verification.
const outer = (...files) => {
  const command = ours(...files);
  return { label: 'ours, payload off', argv: [...command.argv, '--payload', 'off'] };
};
const osslsigncode = (file) => ({
  label: 'osslsigncode',
  argv: ['osslsigncode', 'verify', '-CAfile', `${PKI}/trusted-roots.pem`, '-in', file],
});
const sha256sum = (file) => ({ label: 'openssl dgst', argv: ['openssl', 'dgst', '-sha256', file] });

/**
 * The cases. `ratios`: [numerator, denominator, target] on command labels, each taken run by run
 * (A B A B ...) and reported as the median ratio.
 */
const GIB_MSI = out('msi-1g.msi');
const cases = [
  {
    name: 'msi-1g',
    what: '1 GiB MSI',
    commands: [outer(GIB_MSI), ours(GIB_MSI), osslsigncode(GIB_MSI), sha256sum(GIB_MSI)],
    ratios: [
      ['ours, payload off', 'openssl dgst', 1.2],
      ['ours, payload off', 'osslsigncode', 0.5],
      ['ours', 'openssl dgst', null],
    ],
    rssTarget: 150,
  },
  {
    name: 'msi-1g-dse',
    what: '1 GiB MSI with MsiDigitalSignatureEx',
    commands: [
      outer(out('msi-1g-dse.msi')),
      ours(out('msi-1g-dse.msi')),
      osslsigncode(out('msi-1g-dse.msi')),
      sha256sum(out('msi-1g-dse.msi')),
    ],
    ratios: [
      ['ours, payload off', 'openssl dgst', 1.2],
      ['ours, payload off', 'osslsigncode', 0.5],
      ['ours', 'openssl dgst', null],
    ],
    rssTarget: 150,
  },
  {
    name: 'cab-1g',
    what: '1 GiB stored CAB',
    commands: [
      outer(out('cab-1g.cab')),
      ours(out('cab-1g.cab')),
      osslsigncode(out('cab-1g.cab')),
      sha256sum(out('cab-1g.cab')),
    ],
    ratios: [
      ['ours, payload off', 'openssl dgst', 1.2],
      ['ours, payload off', 'osslsigncode', null],
      ['ours', 'openssl dgst', null],
    ],
    rssTarget: 150,
  },
  {
    name: 'pe-1g',
    what: '1 GiB PE (x64 EXE with a large overlay)',
    commands: [ours(out('pe-1g.exe')), osslsigncode(out('pe-1g.exe')), sha256sum(out('pe-1g.exe'))],
    ratios: [
      ['ours', 'openssl dgst', 1.2],
      ['ours', 'osslsigncode', null],
    ],
    rssTarget: 100,
  },
  {
    name: 'small-100',
    what: `${SMALL_COUNT} MSIs of 2 MiB`,
    commands: [
      { ...ours(...smallFiles), label: 'ours, one process' },
      osslsigncodeLoop(smallFiles),
    ],
    ratios: [['ours, one process', 'osslsigncode, one process each', 0.4]],
  },
  {
    name: 'tiny-1000',
    what: `${TINY_COUNT} small signed MSIs (19 KiB, the fixture)`,
    commands: [{ ...ours(...tinyFiles), label: 'ours, one process' }, osslsigncodeLoop(tinyFiles)],
    ratios: [['ours, one process', 'osslsigncode, one process each', 0.2]],
  },
  {
    // Not one of issue 19's targets: released files are timestamped, and the token is a second
    // signature to check in every file (its TSTInfo, signer and TSA chain).
    name: 'tiny-ts-1000',
    what: `${TINY_COUNT} small signed and timestamped MSIs (fixtures/msi/signed-timestamped.msi)`,
    commands: [
      {
        ...ours(...tinyTimestampedFiles, '--tsa-roots', `${PKI}/tsa-roots.pem`),
        label: 'ours, one process',
      },
      osslsigncodeLoop(tinyTimestampedFiles, `-TSA-CAfile '${PKI}/tsa-roots.pem'`),
    ],
    ratios: [['ours, one process', 'osslsigncode, one process each', null]],
  },
  {
    name: 'two-1g',
    what: 'two 1 GiB MSIs in one invocation',
    commands: [
      { ...outer(GIB_MSI, out('msi-1g-dse.msi')), label: 'ours, two files' },
      { ...outer(GIB_MSI), label: 'ours, one file' },
      { ...ours(GIB_MSI, out('msi-1g-dse.msi')), label: 'ours, two files, payload warn' },
      { ...ours(GIB_MSI), label: 'ours, one file, payload warn' },
      // The yardstick: the same two files hashed by two openssl processes at once.
      {
        label: 'openssl dgst, two at once',
        argv: [
          'sh',
          '-c',
          'openssl dgst -sha256 "$1" >/dev/null & openssl dgst -sha256 "$2" >/dev/null; wait',
          'sh',
          GIB_MSI,
          out('msi-1g-dse.msi'),
        ],
      },
      sha256sum(GIB_MSI),
    ],
    ratios: [
      ['ours, two files', 'ours, one file', 1.15],
      ['ours, two files, payload warn', 'ours, one file, payload warn', null],
      ['openssl dgst, two at once', 'openssl dgst', null],
    ],
  },
  {
    name: 'rss',
    what: 'peak RSS across package sizes',
    commands: [
      { ...ours(out('msi-100m.msi')), label: 'ours, 100 MiB MSI' },
      { ...ours(GIB_MSI), label: 'ours, 1 GiB MSI' },
      { ...ours(out('msi-1.9g.msi')), label: 'ours, 1.9 GiB MSI' },
      {
        label: 'read all streams, 1 GiB MSI',
        argv: [process.execPath, READ_ALL, GIB_MSI],
        rssTargetMB: 100,
      },
      {
        label: 'read all streams, 1.9 GiB MSI',
        argv: [process.execPath, READ_ALL, out('msi-1.9g.msi')],
        rssTargetMB: 100,
      },
    ],
    ratios: [],
    rssTarget: 150,
  },
  {
    name: 'payload-mszip',
    what: 'extract and hash every file of a 1 GiB-payload MSZIP cabinet (gcab)',
    commands: [
      {
        label: 'ours, extract + SHA-256',
        argv: [process.execPath, EXTRACT_PAYLOAD, out('payload-mszip-1g.cab')],
      },
      // The whole command as users run it: the cabinet is unsigned (its own verdict fails), its
      // payload is walked all the same; its files are not executables, so this is the walk's
      // cost: read, checksum, decompress.
      {
        ...ours(out('payload-mszip-1g.cab')),
        label: 'ours, verify --payload warn',
        exitCode: 1,
      },
      { label: 'cabextract -t', argv: ['cabextract', '-t', '-q', out('payload-mszip-1g.cab')] },
    ],
    ratios: [
      ['ours, extract + SHA-256', 'cabextract -t', 1.5],
      ['ours, verify --payload warn', 'cabextract -t', 1.5],
    ],
    rssTarget: 150,
  },
  {
    name: 'payload-lzx',
    what: 'extract and hash every file of a 1 GiB-payload LZX cabinet (2^21 window, E8)',
    commands: [
      {
        label: 'ours, extract + SHA-256',
        argv: [process.execPath, EXTRACT_PAYLOAD, out('payload-lzx-1g.cab')],
      },
      // The whole command as users run it: the cabinet is unsigned (its own verdict fails), its
      // payload is walked all the same; its files are not executables, so this is the walk's
      // cost: read, checksum, decompress.
      {
        ...ours(out('payload-lzx-1g.cab')),
        label: 'ours, verify --payload warn',
        exitCode: 1,
      },
      { label: 'cabextract -t', argv: ['cabextract', '-t', '-q', out('payload-lzx-1g.cab')] },
    ],
    ratios: [
      ['ours, extract + SHA-256', 'cabextract -t', 2],
      ['ours, verify --payload warn', 'cabextract -t', 2],
    ],
    rssTarget: 150,
  },
  {
    name: 'startup',
    what: 'start-up: one small fixture MSI',
    commands: [
      { ...ours(join(REPO, 'fixtures/msi/signed-sha256.msi')), label: 'ours' },
      { ...outer(join(REPO, 'fixtures/msi/signed-sha256.msi')), label: 'ours, payload off' },
      { label: 'ours --version (loading only)', argv: [process.execPath, CLI, '--version'] },
      { label: 'node -e 0 (floor)', argv: [process.execPath, '-e', '0'] },
      osslsigncode(join(REPO, 'fixtures/msi/signed-sha256.msi')),
    ],
    ratios: [['ours', 'node -e 0 (floor)', 1.6]],
    wallTarget: 0.15,
  },
];

/**
 * SHA-256 throughput of the machine, one process and two at once (openssl speed): on a VM whose
 * two vCPUs share one core's SHA unit, two hashes at once are no faster than one.
 */
function sha256Throughput() {
  const speed = (multi) => {
    const text = execFileSync(
      'openssl',
      [
        'speed',
        ...(multi ? ['-multi', '2'] : []),
        '-seconds',
        '2',
        '-bytes',
        String(MiB),
        '-evp',
        'sha256',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const k = Number(/sha256\s+([\d.]+)k\s*$/m.exec(text)?.[1]);
    return ((k * 1000) / MiB).toFixed(0);
  };
  return `SHA-256 (openssl speed, 1 MiB blocks): ${speed(false)} MiB/s in one process, ${speed(true)} MiB/s in total for two at once`;
}

const loadStart = loadavg()[0].toFixed(2);
const shaCheck = sha256Throughput();
const rows = [];
for (const c of cases) {
  if (ONLY && !ONLY.includes(c.name)) continue;
  log(`measuring ${c.name}: ${c.what} (${WARMUP} warm-up + ${RUNS} runs per command)`);
  const samples = new Map(c.commands.map((cmd) => [cmd.label, []]));
  for (let run = 0; run < WARMUP + RUNS; run++) {
    for (const command of c.commands) {
      const sample = await runOnce(command);
      if (run >= WARMUP) samples.get(command.label).push(sample);
    }
  }
  for (const command of c.commands) {
    const s = samples.get(command.label);
    const wall = s.map((x) => x.wall);
    const row = {
      case: c.name,
      command: command.label,
      wall: median(wall),
      min: Math.min(...wall),
      max: Math.max(...wall),
      cpu: median(s.map((x) => x.cpu)),
      rss: median(s.map((x) => x.rss)),
      notes: [],
    };
    if (command.rssTargetMB) {
      const ok = (row.rss * MiB) / 1e6 < command.rssTargetMB;
      row.notes.push(`RSS target < ${command.rssTargetMB} MB: ${ok ? 'met' : 'MISSED'}`);
    } else if (command.label.startsWith('ours') || command.label.startsWith('read all')) {
      if (c.rssTarget)
        row.notes.push(
          `RSS target ≤ ${c.rssTarget} MiB: ${row.rss <= c.rssTarget ? 'met' : 'MISSED'}`,
        );
      if (c.wallTarget && command.label === 'ours') {
        row.notes.push(
          `target < ${c.wallTarget * 1000} ms: ${row.wall < c.wallTarget ? 'met' : 'MISSED'}`,
        );
      }
    }
    for (const [numerator, denominator, target] of c.ratios) {
      if (numerator !== command.label) continue;
      const a = samples.get(numerator);
      const b = samples.get(denominator);
      const ratio = median(a.map((x, i) => x.wall / b[i].wall));
      row.notes.push(
        `${ratio.toFixed(2)}x ${denominator}` +
          (target ? ` (target ≤ ${target}x: ${ratio <= target ? 'met' : 'MISSED'})` : ''),
      );
    }
    rows.push(row);
  }
}

// ---- report ---------------------------------------------------------------------------------
const cpuModel = cpus()[0]?.model ?? 'unknown';
const machine = [
  `${cpus().length} CPUs (${cpuModel}), ${(totalmem() / GiB).toFixed(0)} GiB RAM, Node ${process.version}, ${RUNS} runs + ${WARMUP} warm-up per command, warm page cache`,
  shaCheck,
  `load average (1 min) at start ${loadStart}, at end ${loadavg()[0].toFixed(2)}`,
].join('\n');
const header = [
  'case',
  'command',
  'wall median (s)',
  'min–max (s)',
  'cpu median (s)',
  'peak RSS median (MiB)',
  'ratios (median of per-run ratios) and targets',
];
const body = rows.map((r) => [
  r.case,
  r.command,
  r.wall.toFixed(3),
  `${r.min.toFixed(3)}–${r.max.toFixed(3)}`,
  r.cpu.toFixed(2),
  r.rss.toFixed(0),
  r.notes.join('; '),
]);
const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
const line = (cells) =>
  cells
    .map((c, i) => c.padEnd(widths[i]))
    .join('  ')
    .trimEnd();
process.stdout.write(
  `\n${machine}\n\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`,
);
for (const r of body) process.stdout.write(`${line(r)}\n`);
if (MARKDOWN) {
  process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
  for (const r of body) process.stdout.write(`| ${r.join(' | ')} |\n`);
}
process.stdout.write(`\ninputs: ${relative(process.cwd(), OUT) || '.'}/\n`);
