import { createHash, type Hash } from 'node:crypto';

/** Digest algorithms Authenticode uses, named as Node's crypto names them. docs/formats.md §7.3 */
export type DigestAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_OIDS: Readonly<Record<string, DigestAlgorithm>> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export const DIGEST_SIZES: Readonly<Record<DigestAlgorithm, number>> = {
  md5: 16,
  sha1: 20,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

/** Display names as signtool and osslsigncode print them. */
export const DIGEST_NAMES: Readonly<Record<DigestAlgorithm, string>> = {
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

/**
 * Feeds every chunk to one hash per algorithm, so that nested signatures with different
 * algorithms still cost one read of the file (docs/formats.md §5.7 step 4).
 */
export class MultiHash {
  private readonly hashes: Map<DigestAlgorithm, Hash>;

  constructor(algorithms: Iterable<DigestAlgorithm>) {
    this.hashes = new Map([...new Set(algorithms)].map((a) => [a, createHash(a)]));
  }

  get algorithms(): DigestAlgorithm[] {
    return [...this.hashes.keys()];
  }

  update(chunk: Uint8Array): void {
    for (const hash of this.hashes.values()) hash.update(chunk);
  }

  digest(): Map<DigestAlgorithm, Buffer> {
    return new Map([...this.hashes].map(([a, h]) => [a, h.digest()]));
  }
}
