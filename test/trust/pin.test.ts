import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleError, parsePin, PinError, PinSet } from '../../src/trust/index.js';
import type { Certificate } from '../../src/x509/certificate.js';
import { generatePki, removePki, type TestPki } from './pki.js';
import { skipWithout, titled } from '../support/tools.js';

/** The test PKI is made with openssl (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl');

let pki: TestPki;
let leaf: Certificate;
let leaf2: Certificate;

beforeAll(() => {
  if (SKIP) return;
  pki = generatePki(['leaf', 'leaf2']);
  leaf = pki.cert.leaf!;
  leaf2 = pki.cert.leaf2!;
});

afterAll(() => {
  if (!SKIP) removePki(pki);
});

const colons = (hex: string): string => hex.match(/../g)!.join(':');
const spaced = (hex: string): string => hex.match(/../g)!.join(' ');

function pinError(value: string, fragment: string): void {
  let caught: unknown;
  try {
    parsePin(value);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(PinError);
  expect((caught as PinError).code).toBe('pin-error');
  expect((caught as Error).message).toContain(fragment);
}

describe.skipIf(SKIP)(titled('thumbprint pins', SKIP), () => {
  it.each([
    ['sha256, lower case', () => `sha256:${leaf.sha256}`],
    ['sha256, upper case with colons', () => `SHA256:${colons(leaf.sha256).toUpperCase()}`],
    ['sha256, spaced, SHA-256 spelling', () => `SHA-256: ${spaced(leaf.sha256)}`],
    ['sha1, lower case', () => `sha1:${leaf.sha1}`],
    ['sha1, upper case with colons', () => `Sha1:${colons(leaf.sha1).toUpperCase()}`],
    ['sha1 as copied from the Windows certificate dialog', () => `sha1:\u200e${spaced(leaf.sha1)}`],
  ])('matches the signer by %s', (_label, value) => {
    const pins = parsePin(value());
    expect(pins).toHaveLength(1);
    const set = new PinSet(pins);
    expect(set.matches(leaf)).toBe(true);
    expect(set.matches(leaf2)).toBe(false);
  });

  it('rejects a thumbprint of the wrong length', () => {
    pinError(`sha256:${leaf.sha256.slice(2)}`, 'must be 64 hex digits');
    pinError(`sha1:${leaf.sha256}`, 'must be 40 hex digits');
    pinError('sha256:', 'got 0');
  });

  it('rejects a thumbprint with non-hex characters', () => {
    pinError(`sha256:${leaf.sha256.slice(1)}g`, '"g", which is not a hex digit');
    pinError(`sha1:${leaf.sha1.slice(1)}-`, 'not a hex digit');
  });

  it('rejects an empty pin', () => {
    pinError('   ', 'empty');
  });

  it('asks for a prefix on a bare thumbprint', () => {
    pinError(leaf.sha256, `sha256:${leaf.sha256}`);
    pinError(spaced(leaf.sha1), `sha1:${leaf.sha1}`);
  });
});

describe.skipIf(SKIP)(titled('certificate pins', SKIP), () => {
  it('matches a certificate file by exact DER', () => {
    const set = new PinSet(parsePin(pki.pemPath.leaf!));
    expect(set.matches(leaf)).toBe(true);
    expect(set.matches(leaf2)).toBe(false);
    expect(set.pins[0]).toMatchObject({ kind: 'certificate', source: pki.pemPath.leaf });
  });

  it('resolves relative paths against baseDir', () => {
    const set = new PinSet(parsePin('leaf2.pem', { baseDir: pki.dir }));
    expect(set.matches(leaf2)).toBe(true);
  });

  it('accepts every certificate of a bundle as a signer', () => {
    const path = join(pki.dir, 'signers.pem');
    writeFileSync(path, pki.pem.leaf! + pki.pem.leaf2!);
    const set = new PinSet(parsePin(path));
    expect(set.size).toBe(2);
    expect(set.matches(leaf)).toBe(true);
    expect(set.matches(leaf2)).toBe(true);
    expect(set.matches(pki.cert.inter!)).toBe(false);
  });

  it('accepts a DER certificate file', () => {
    const path = join(pki.dir, 'leaf.cer');
    writeFileSync(path, leaf.der);
    expect(new PinSet(parsePin(path)).matches(leaf)).toBe(true);
  });

  it('accepts inline PEM', () => {
    const set = new PinSet(parsePin(`\n${pki.pem.leaf2!}\n`));
    expect(set.matches(leaf2)).toBe(true);
    expect(set.matches(leaf)).toBe(false);
  });

  it('reports an unreadable certificate file as a BundleError', () => {
    expect(() => parsePin(join(pki.dir, 'missing.pem'))).toThrow(BundleError);
  });
});

describe.skipIf(SKIP)(titled('PinSet', SKIP), () => {
  it('parses several values into one set', () => {
    const set = PinSet.parse([`sha1:${leaf.sha1}`, '', pki.pemPath.leaf2!]);
    expect(set.size).toBe(2);
    expect(set.matches(leaf)).toBe(true);
    expect(set.matches(leaf2)).toBe(true);
    expect(set.matching(leaf2)?.kind).toBe('certificate');
  });

  it('describes the expected signers with subjects and thumbprints', () => {
    const one = new PinSet(parsePin(pki.pemPath.leaf!));
    expect(one.describe()).toBe(`"${leaf.subject}" (sha256 ${leaf.sha256})`);
    const two = PinSet.parse([pki.pemPath.leaf!, `SHA1:${colons(leaf2.sha1)}`]);
    expect(two.describe()).toBe(
      `one of "${leaf.subject}" (sha256 ${leaf.sha256}), sha1:${leaf2.sha1}`,
    );
    expect(new PinSet([]).describe()).toBe('no signer');
    expect(new PinSet([]).matches(leaf)).toBe(false);
  });
});
