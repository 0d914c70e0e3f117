import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Certificate } from '../x509/certificate.js';
import { loadCertificateFile, looksLikePem, parseInlinePem } from './bundle.js';

/**
 * Signer pins: which certificate(s) may have signed an artifact. A pin is either a thumbprint
 * of the signer certificate's DER, or the certificate itself (exact DER equality, the
 * comparison Windows Installer makes for MsiPatchCertificate, docs/formats.md §3.11).
 */
export type Pin =
  | { kind: 'sha256' | 'sha1'; /** lower-case hex */ thumbprint: string; source?: string }
  | { kind: 'certificate'; certificate: Certificate; source?: string };

/** A pin value that is neither a well-formed thumbprint nor a readable certificate source. */
export class PinError extends Error {
  readonly code = 'pin-error' as const;
  constructor(
    readonly value: string,
    readonly detail: string,
  ) {
    super(detail);
    this.name = 'PinError';
  }
}

const THUMBPRINT_LENGTH = { sha256: 64, sha1: 40 } as const;

/** Separators people paste inside thumbprints: spaces, colons, and the invisible marks the
 * Windows certificate dialog copies along (U+200E in front of the thumbprint). */
const SEPARATORS = /[\s:\u200b-\u200f\ufeff]/g;

function parseThumbprint(kind: 'sha256' | 'sha1', raw: string, value: string): Pin {
  const hex = raw.replace(SEPARATORS, '');
  const expected = THUMBPRINT_LENGTH[kind];
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad) {
    throw new PinError(value, `${kind} thumbprint contains "${bad[0]}", which is not a hex digit`);
  }
  if (hex.length !== expected) {
    throw new PinError(
      value,
      `${kind} thumbprint must be ${expected} hex digits (${expected / 2} bytes), got ${hex.length}`,
    );
  }
  return { kind, thumbprint: hex.toLowerCase(), source: value };
}

export interface ParsePinOptions {
  /** Directory relative certificate paths are resolved against (default: the working directory). */
  baseDir?: string;
}

/**
 * Parses one pin value: `sha256:HEX` / `sha1:HEX` (any case, colons and spaces allowed inside),
 * inline PEM text, or the path of a certificate file (PEM bundle, DER, PKCS#7). A bundle yields
 * one pin per certificate: any of them is an accepted signer.
 * Throws PinError for a malformed thumbprint and BundleError for an unreadable certificate file.
 */
export function parsePin(value: string, options: ParsePinOptions = {}): Pin[] {
  const text = value.replace(/^[\s\ufeff\u200e\u200f]+|\s+$/g, '');
  if (text === '') throw new PinError(value, 'empty signer pin');

  const prefixed = /^(sha-?256|sha-?1)\s*[:=]\s*(.*)$/is.exec(text);
  if (prefixed) {
    const kind = prefixed[1]!.toLowerCase().replace('-', '') as 'sha256' | 'sha1';
    return [parseThumbprint(kind, prefixed[2] ?? '', value)];
  }

  if (looksLikePem(text)) {
    return parseInlinePem(text, 'inline signer PEM').map((certificate) => ({
      kind: 'certificate' as const,
      certificate,
      source: 'inline PEM',
    }));
  }

  const path = resolve(options.baseDir ?? process.cwd(), text);
  const bareHex = text.replace(SEPARATORS, '');
  if (
    !existsSync(path) &&
    /^[0-9a-fA-F]+$/.test(bareHex) &&
    (bareHex.length === 40 || bareHex.length === 64)
  ) {
    const kind = bareHex.length === 64 ? 'sha256' : 'sha1';
    throw new PinError(value, `"${text}" looks like a thumbprint; write it as ${kind}:${bareHex}`);
  }
  return loadCertificateFile(path).map((certificate) => ({
    kind: 'certificate' as const,
    certificate,
    source: text,
  }));
}

function describePin(pin: Pin): string {
  if (pin.kind === 'certificate') {
    return `"${pin.certificate.subject}" (sha256 ${pin.certificate.sha256})`;
  }
  return `${pin.kind}:${pin.thumbprint}`;
}

/** The accepted signers. An artifact passes when its signer matches any pin. */
export class PinSet {
  readonly pins: readonly Pin[];

  constructor(pins: readonly Pin[]) {
    this.pins = [...pins];
  }

  /** Parses several pin values (e.g. a multi-line action input) into one set. */
  static parse(values: readonly string[], options: ParsePinOptions = {}): PinSet {
    return new PinSet(values.filter((v) => v.trim() !== '').flatMap((v) => parsePin(v, options)));
  }

  get size(): number {
    return this.pins.length;
  }

  /** The first pin the certificate satisfies, if any. */
  matching(cert: Certificate): Pin | undefined {
    return this.pins.find((pin) => {
      switch (pin.kind) {
        case 'certificate':
          return pin.certificate.der.equals(cert.der);
        case 'sha256':
          return pin.thumbprint === cert.sha256.toLowerCase();
        case 'sha1':
          return pin.thumbprint === cert.sha1.toLowerCase();
      }
    });
  }

  matches(cert: Certificate): boolean {
    return this.matching(cert) !== undefined;
  }

  /** Subjects and thumbprints of the accepted signers, for "expected …" messages. */
  describe(): string {
    const parts = [...new Set(this.pins.map(describePin))];
    if (parts.length === 0) return 'no signer';
    if (parts.length === 1) return parts[0]!;
    return `one of ${parts.join(', ')}`;
  }
}
