// npm run update-windows-roots -- <authroot.stl | authrootstl.cab> <certificates dir> [--origin TEXT]
//
// Regenerates src/trust/windows-roots-list.ts and windows-roots.json, the built-in `windows` trust store, from Microsoft's
// Certificate Trust List (docs/windows-roots.md). The list's signature and its signer's chain to
// Microsoft Root Certificate Authority 2010 are verified first; every certificate the data keeps
// must match the SHA-1 (and SHA-256) the signed list gives for it. The certificates directory
// holds the roots as <SHA-1>.crt (PEM or DER), as Windows Update publishes them
// (http://ctldl.windowsupdate.com/msdownload/update/v3/static/trustedr/en/<SHA-1>.crt).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCertificateFile } from '../src/trust/bundle.js';
import {
  generateWindowsRoots,
  renderWindowsRootCertificates,
  renderWindowsRootJson,
  renderWindowsRootList,
} from '../src/trust/windows-roots-generator.js';
import type { Certificate } from '../src/x509/certificate.js';

const LIST_OUTPUT = fileURLToPath(new URL('../src/trust/windows-roots-list.ts', import.meta.url));
const ROOTS_OUTPUT = fileURLToPath(new URL('../src/trust/windows-roots.json', import.meta.url));
const CERTIFICATES_OUTPUT = fileURLToPath(
  new URL('../src/trust/windows-roots-certificates.json', import.meta.url),
);

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run update-windows-roots -- <authroot.stl | authrootstl.cab> <certificates dir> [--origin TEXT]\n`,
  );
  process.exit(2);
}

/** authrootstl.cab holds one file, authroot.stl; cabextract unpacks it to stdout. */
function readList(path: string): Buffer {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 4).toString('latin1') !== 'MSCF') return bytes;
  return execFileSync('cabextract', ['-q', '-p', '-F', 'authroot.stl', path], {
    maxBuffer: 64 * 1024 * 1024,
  });
}

function certificateFrom(dir: string): (sha1: string) => Certificate | null {
  return (sha1) => {
    for (const name of [sha1.toUpperCase(), sha1.toLowerCase()]) {
      for (const ext of ['.crt', '.cer', '.pem', '.der']) {
        const path = join(dir, name + ext);
        if (existsSync(path)) {
          const [certificate] = loadCertificateFile(path);
          return certificate ?? null;
        }
      }
    }
    return null;
  };
}

const args = process.argv.slice(2);
const originAt = args.indexOf('--origin');
let origin: string | undefined;
if (originAt !== -1) {
  origin = args[originAt + 1];
  if (!origin) usage('--origin needs a text');
  args.splice(originAt, 2);
}
const [listPath, certificatesDir] = args;
if (!listPath || !certificatesDir || args.length !== 2) usage('two arguments are needed');

try {
  const generated = generateWindowsRoots({
    list: readList(listPath),
    certificate: certificateFrom(certificatesDir),
    origin:
      origin ?? 'Microsoft Trusted Root Program (authroot.stl, Windows automatic root update)',
  });
  writeFileSync(LIST_OUTPUT, renderWindowsRootList(generated));
  writeFileSync(ROOTS_OUTPUT, renderWindowsRootJson(generated));
  writeFileSync(CERTIFICATES_OUTPUT, renderWindowsRootCertificates(generated));
  const withCertificate = generated.certificates.size;
  process.stdout.write(
    `verified the list of ${generated.info.thisUpdate} (sequence ${generated.info.sequenceNumber}): ${generated.info.listed} roots, ${withCertificate} kept with their certificate for code signing or time stamping\nwrote ${LIST_OUTPUT}\nwrote ${ROOTS_OUTPUT}\nwrote ${CERTIFICATES_OUTPUT}\n`,
  );
} catch (error) {
  process.stderr.write(`update-windows-roots: ${(error as Error).message}\n`);
  process.exit(1);
}
