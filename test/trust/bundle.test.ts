import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BundleError,
  loadCertificateFile,
  loadCertificates,
  parseInlinePem,
} from '../../src/trust/index.js';
import { generatePki, removePki, type TestPki } from './pki.js';
import { skipWithout, titled } from '../support/tools.js';

/** The test PKI is made with openssl (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl');

let pki: TestPki;

beforeAll(() => {
  if (SKIP) return;
  pki = generatePki(['leaf', 'leaf2']);
});

afterAll(() => {
  if (!SKIP) removePki(pki);
});

function openssl(args: string[]): Buffer {
  return execFileSync('openssl', args, { cwd: pki.dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

function der(name: string): Buffer {
  return openssl(['x509', '-in', pki.pemPath[name]!, '-outform', 'DER']);
}

function expectBundleError(fn: () => unknown, ...fragments: string[]): BundleError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BundleError);
  const error = caught as BundleError;
  expect(error.code).toBe('bundle-error');
  expect(error.message).not.toContain('\n');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

const subjects = (certs: { commonName: string }[]): string[] =>
  certs.map((cert) => cert.commonName);

describe.skipIf(SKIP)(titled('PEM bundles', SKIP), () => {
  it('loads one PEM certificate with its exact DER', () => {
    const certs = loadCertificates(Buffer.from(pki.pem.leaf!), 'leaf.pem');
    expect(certs).toHaveLength(1);
    expect(certs[0]!.der.equals(der('leaf'))).toBe(true);
    expect(certs[0]!.equals(pki.cert.leaf!)).toBe(true);
  });

  it('loads several certificates in file order, with CRLF and text between blocks', () => {
    const text = [
      'Subject: root',
      pki.pem.root!,
      '# the intermediate',
      pki.pem.inter!,
      '',
      'Bag Attributes: friendlyName: leaf',
      pki.pem.leaf!,
      'trailing words',
    ]
      .join('\n')
      .replace(/\n/g, '\r\n');
    const certs = loadCertificates(Buffer.from(text), 'chain.pem');
    expect(subjects(certs)).toEqual(['Test Root CA', 'Test Code Signing CA', 'Contoso Installers']);
  });

  it('skips non-certificate blocks such as private keys', () => {
    const key = readFileSync(join(pki.dir, 'leaf.key'), 'utf8');
    const certs = loadCertificates(Buffer.from(key + pki.pem.leaf2!), 'mixed.pem');
    expect(subjects(certs)).toEqual(['Fabrikam Installers']);
  });

  it('reads OpenSSL TRUSTED CERTIFICATE blocks', () => {
    const trusted = openssl([
      'x509',
      '-in',
      pki.pemPath.root!,
      '-trustout',
      '-addtrust',
      'codeSigning',
    ]);
    expect(trusted.toString()).toContain('BEGIN TRUSTED CERTIFICATE');
    const certs = loadCertificates(trusted, 'trusted.pem');
    expect(certs[0]!.equals(pki.cert.root!)).toBe(true);
  });

  it('reads UTF-8 with BOM and UTF-16LE (PowerShell 5 Out-File) text', () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pki.pem.leaf!)]);
    expect(loadCertificates(utf8, 'bom.pem')[0]!.equals(pki.cert.leaf!)).toBe(true);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pki.pem.leaf!, 'utf16le')]);
    expect(loadCertificates(utf16, 'utf16.pem')[0]!.equals(pki.cert.leaf!)).toBe(true);
  });

  it('rejects a file with only a private key', () => {
    const key = readFileSync(join(pki.dir, 'leaf.key'));
    expectBundleError(
      () => loadCertificates(key, 'key.pem'),
      'key.pem',
      'no certificates',
      'PRIVATE KEY',
    );
  });

  it('rejects a block without an END line', () => {
    const text = pki.pem.leaf!.replace('-----END CERTIFICATE-----', '');
    expectBundleError(
      () => loadCertificates(Buffer.from(text), 'cut.pem'),
      'cut.pem',
      'line 1',
      'no END',
    );
  });

  it('rejects corrupt base64 and names the block line', () => {
    const text = `\n\n${pki.pem.root!}${pki.pem.leaf!.replace(/^M/m, '*')}`;
    expectBundleError(
      () => loadCertificates(Buffer.from(text), 'bad.pem'),
      'bad.pem',
      'line',
      'base64',
    );
  });

  it('rejects a block whose content is not a certificate', () => {
    const text = `-----BEGIN CERTIFICATE-----\n${Buffer.from('hello world!').toString('base64')}\n-----END CERTIFICATE-----\n`;
    expectBundleError(
      () => loadCertificates(Buffer.from(text), 'x.pem'),
      'x.pem',
      'not a valid X.509 certificate',
    );
  });
});

describe.skipIf(SKIP)(titled('DER and PKCS#7 bundles', SKIP), () => {
  it('loads a DER .cer file', () => {
    const certs = loadCertificates(der('inter'), 'inter.cer');
    expect(certs).toHaveLength(1);
    expect(certs[0]!.equals(pki.cert.inter!)).toBe(true);
  });

  it('loads concatenated DER certificates', () => {
    const certs = loadCertificates(Buffer.concat([der('root'), der('inter')]), 'two.der');
    expect(subjects(certs)).toEqual(['Test Root CA', 'Test Code Signing CA']);
  });

  it('loads a certs-only PKCS#7 (.p7b) in DER and PEM with exact certificate bytes', () => {
    const args = [
      'crl2pkcs7',
      '-nocrl',
      '-certfile',
      pki.pemPath.root!,
      '-certfile',
      pki.pemPath.inter!,
    ];
    const p7bDer = openssl([...args, '-outform', 'DER']);
    const fromDer = loadCertificates(p7bDer, 'chain.p7b');
    expect(fromDer.map((cert) => cert.sha256).sort()).toEqual(
      [pki.cert.root!.sha256, pki.cert.inter!.sha256].sort(),
    );
    const p7bPem = openssl(args);
    expect(p7bPem.toString()).toContain('BEGIN PKCS7');
    expect(loadCertificates(p7bPem, 'chain.p7b.pem')).toHaveLength(2);
  });

  it('rejects an empty PKCS#7', () => {
    const empty = openssl(['crl2pkcs7', '-nocrl', '-outform', 'DER']);
    expectBundleError(() => loadCertificates(empty, 'empty.p7b'), 'empty.p7b', 'no certificates');
  });

  it('rejects DER that is not a certificate', () => {
    const notCert = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]);
    expectBundleError(
      () => loadCertificates(notCert, 'int.der'),
      'int.der',
      'not an X.509 certificate',
    );
    const truncated = der('leaf').subarray(0, 100);
    expectBundleError(() => loadCertificates(truncated, 'cut.der'), 'cut.der', 'not valid DER');
  });
});

describe.skipIf(SKIP)(titled('unusable input', SKIP), () => {
  it('rejects an empty file and whitespace', () => {
    expectBundleError(
      () => loadCertificates(Buffer.alloc(0), 'empty.pem'),
      'empty.pem',
      'is empty',
    );
    expectBundleError(
      () => loadCertificates(Buffer.from(' \r\n\t'), 'blank.pem'),
      'blank.pem',
      'is empty',
    );
  });

  it('rejects garbage that is neither PEM nor DER', () => {
    expectBundleError(
      () => loadCertificates(Buffer.from('not a certificate at all'), 'junk.txt'),
      'junk.txt',
      'neither PEM',
    );
  });

  it('reports a missing file and a directory by path', () => {
    const missing = join(pki.dir, 'nope.pem');
    expectBundleError(() => loadCertificateFile(missing), missing, 'no such file');
    expectBundleError(() => loadCertificateFile(pki.dir), 'is a directory');
  });

  it('loads a file from disk', () => {
    const path = join(pki.dir, 'bundle.pem');
    writeFileSync(path, pki.pem.root! + pki.pem.inter!);
    expect(subjects(loadCertificateFile(path))).toEqual(['Test Root CA', 'Test Code Signing CA']);
  });
});

describe.skipIf(SKIP)(titled('inline PEM', SKIP), () => {
  it('parses PEM text from an action input', () => {
    expect(parseInlinePem(`  ${pki.pem.leaf!}\n${pki.pem.leaf2!}  `)).toHaveLength(2);
  });

  it('rejects text without PEM armour', () => {
    expectBundleError(() => parseInlinePem('MIIB...', 'input signer'), 'input signer', 'no PEM');
  });
});
