import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildChain,
  firstChainError,
  hresultForCode,
  validationTime,
  type ChainOptions,
  type ChainResult,
} from '../../src/trust/index.js';
import { MAX_ISSUER_CANDIDATES } from '../../src/trust/chain.js';
import { SIGNATURE_CHECKS_PER_FILE, SignatureCheckBudget } from '../../src/trust/index.js';
import { Certificate } from '../../src/x509/certificate.js';
import { AT, generatePki, removePki, type TestPki } from './pki.js';
import { skipWithout, titled } from '../support/tools.js';

/** The test PKI is made with openssl (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl');

let pki: TestPki;
let c: Record<string, Certificate>;

beforeAll(() => {
  if (SKIP) return;
  pki = generatePki();
  c = pki.cert;
});

afterAll(() => {
  if (!SKIP) removePki(pki);
});

function build(
  leaf: string,
  intermediates: string[],
  anchors: string[],
  extra: Partial<ChainOptions> = {},
): ChainResult {
  return buildChain(c[leaf]!, {
    intermediates: intermediates.map((n) => c[n]!),
    anchors: anchors.map((n) => c[n]!),
    time: AT,
    usage: 'codeSigning',
    ...extra,
  });
}

const names = (result: ChainResult): string[] => result.chain.map((cert) => cert.commonName);
const codes = (result: ChainResult): Array<[string, string]> =>
  result.problems.map((p) => [p.code, p.hresult]);

describe.skipIf(SKIP)(titled('path building', SKIP), () => {
  it('builds leaf → intermediate → trusted root with no problems', () => {
    const result = build('leaf', ['inter'], ['root']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(names(result)).toEqual(['Contoso Installers', 'Test Code Signing CA', 'Test Root CA']);
    expect(result.anchor?.equals(c.root!)).toBe(true);
    expect(result.leafHasNoEku).toBe(false);
    expect(result.lifetimeSigning).toBe(false);
    expect(result.missingIssuer).toBeUndefined();
  });

  it('ignores unrelated certificates, the leaf itself and duplicates in the pool', () => {
    const result = build(
      'leaf',
      ['leaf', 'root2', 'inter', 'leaf2', 'inter', 'tsa'],
      ['root2', 'root'],
    );
    expect(result.status).toBe('trusted');
    expect(names(result)).toEqual(['Contoso Installers', 'Test Code Signing CA', 'Test Root CA']);
    expect(result.problems).toEqual([]);
  });

  it('reports a missing intermediate as CERT_E_CHAINING naming the missing issuer', () => {
    const result = build('leaf', [], ['root']);
    expect(result.status).toBe('incomplete');
    expect(codes(result)).toEqual([['chain-incomplete', '0x800B010A']]);
    expect(result.problems[0]!.message).toContain(
      'CN=Test Code Signing CA, O=verify-authenticode tests',
    );
    expect(result.missingIssuer).toBe('CN=Test Code Signing CA, O=verify-authenticode tests');
    expect(names(result)).toEqual(['Contoso Installers']);
  });

  it('without anchors, a chain ending at a self-signed root is no-anchors with no problem', () => {
    const result = build('leaf', ['inter', 'root'], []);
    expect(result.status).toBe('no-anchors');
    expect(result.problems).toEqual([]);
    expect(names(result)).toEqual(['Contoso Installers', 'Test Code Signing CA', 'Test Root CA']);
  });

  it('without anchors, a chain stopping below the root is no-anchors and names the missing root', () => {
    const result = build('leaf', ['inter'], []);
    expect(result.status).toBe('no-anchors');
    expect(result.problems).toEqual([]);
    expect(result.missingIssuer).toBe('CN=Test Root CA, O=verify-authenticode tests');
    expect(names(result)).toEqual(['Contoso Installers', 'Test Code Signing CA']);
  });

  it('reports a chain ending at a self-signed root that is not trusted as CERT_E_UNTRUSTEDROOT', () => {
    const result = build('root2Leaf', ['root2'], ['root']);
    expect(result.status).toBe('untrusted-root');
    expect(codes(result)).toEqual([['untrusted-root', '0x800B0109']]);
    expect(result.problems[0]!.message).toContain('Other Root CA');
    expect(result.problems[0]!.message).toContain(c.root2!.sha256);
    expect(result.problems[0]!.certificate?.equals(c.root2!)).toBe(true);
  });

  it('reports an untrusted root that is not supplied either as CERT_E_CHAINING', () => {
    const result = build('root2Leaf', [], ['root']);
    expect(result.status).toBe('incomplete');
    expect(codes(result)).toEqual([['chain-incomplete', '0x800B010A']]);
  });

  it('accepts a leaf that is itself a trusted anchor', () => {
    const result = build('leaf', [], ['leaf']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(names(result)).toEqual(['Contoso Installers']);
  });

  it('accepts a trusted intermediate as the anchor (partial chain)', () => {
    const result = build('leaf', [], ['inter']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(names(result)).toEqual(['Contoso Installers', 'Test Code Signing CA']);
  });

  it('accepts a version 1 root without extensions as an anchor', () => {
    const result = build('v1RootLeaf', [], ['v1Root']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
  });
});

describe.skipIf(SKIP)(titled('issuer selection and backtracking', SKIP), () => {
  it('reports TRUST_E_CERT_SIGNATURE when the only issuer with the right name did not sign', () => {
    const result = build('impostorLeaf', ['inter'], ['root']);
    expect(result.status).toBe('incomplete');
    expect(codes(result)).toEqual([['bad-certificate', '0x80096004']]);
    expect(result.problems[0]!.message).toContain('Impostor Signer');
    expect(result.problems[0]!.message).toContain(c.inter!.sha256);
  });

  it('skips a same-name issuer whose key does not verify and uses the one that does', () => {
    const result = build('impostorLeaf', ['inter', 'impostorInter'], ['root']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(result.chain[1]!.equals(c.impostorInter!)).toBe(true);
  });

  it.each([[['twinA', 'twinB']], [['twinB', 'twinA']]])(
    'picks the twin CA that verifies regardless of order (%j)',
    (pool) => {
      const result = build('twinLeaf', pool, ['root']);
      expect(result.status).toBe('trusted');
      expect(result.problems).toEqual([]);
      expect(result.chain[1]!.equals(c.twinB!)).toBe(true);
    },
  );

  it('follows a cross-certificate to an older trusted root', () => {
    const result = build('newLeaf', ['newInter', 'newRootCross'], ['root']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(names(result)).toEqual([
      'Signer Under New Root',
      'New Code Signing CA',
      'New Root CA',
      'Test Root CA',
    ]);
  });

  it('backtracks from an untrusted self-signed root to its cross-certificate', () => {
    const result = build('newLeaf', ['newInter', 'newRoot', 'newRootCross'], ['root']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(result.chain[2]!.equals(c.newRootCross!)).toBe(true);
    expect(result.anchor?.equals(c.root!)).toBe(true);
  });

  it('stops at the trusted new root when both it and the cross-certificate are available', () => {
    const result = build('newLeaf', ['newInter', 'newRootCross'], ['newRoot']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(names(result)).toEqual(['Signer Under New Root', 'New Code Signing CA', 'New Root CA']);
    expect(result.chain[2]!.equals(c.newRoot!)).toBe(true);
  });

  it('uses a trusted cross-certificate when the pool holds the self-signed copy', () => {
    const result = build('newLeaf', ['newInter', 'newRoot'], ['newRootCross']);
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(result.anchor?.equals(c.newRootCross!)).toBe(true);
  });

  it('treats a certificate with an anchor’s subject and key as that anchor', () => {
    // The self-signed New Root is not itself trusted, but the trusted cross-certificate has
    // the same Name and key: CryptoAPI and OpenSSL treat both as the same trust anchor.
    const result = build('newRoot', [], ['newRootCross']);
    expect(result.status).toBe('trusted');
    // (A CA certificate is no code signer: only its keyUsage, without digitalSignature, fails.)
    expect(codes(result)).toEqual([['bad-key-usage', '0x800B0110']]);
    expect(names(result)).toEqual(['New Root CA']);
    expect(result.anchor?.equals(c.newRootCross!)).toBe(true);
  });

  it('detects a loop (A issued by B, B issued by A) and reports CERT_E_CHAINING', () => {
    for (const anchors of [['root'], []]) {
      const result = build('cycleLeaf', ['cycleA', 'cycleB'], anchors);
      expect(result.status).toBe('incomplete');
      expect(codes(result)).toEqual([['chain-incomplete', '0x800B010A']]);
      expect(names(result)).toEqual(['Cycle Signer', 'Cycle A', 'Cycle B']);
      expect(result.problems[0]!.message).toContain('loop');
    }
  });

  it('gives up on paths longer than maxLength', () => {
    const result = build('leaf', ['inter'], ['root'], { maxLength: 2 });
    expect(result.status).toBe('incomplete');
    expect(codes(result)).toEqual([['chain-incomplete', '0x800B010A']]);
  });
});

describe.skipIf(SKIP)(titled('validity at the validation time', SKIP), () => {
  it('reports an expired signer as CERT_E_EXPIRED with its dates', () => {
    const result = build('expiredLeaf', ['inter'], ['root']);
    expect(result.status).toBe('trusted');
    expect(codes(result)).toEqual([['expired', '0x800B0101']]);
    expect(result.problems[0]!.message).toContain('2021-01-01T00:00:00Z');
    expect(result.problems[0]!.message).toContain('2025-06-01T00:00:00Z');
    expect(result.problems[0]!.certificate?.equals(c.expiredLeaf!)).toBe(true);
  });

  it('accepts the expired signer at a (timestamp) time inside its validity', () => {
    const result = build('expiredLeaf', ['inter'], ['root'], { time: new Date('2020-06-01Z') });
    expect(result.problems).toEqual([]);
  });

  it('reports a not-yet-valid signer as not-yet-valid with CERT_E_EXPIRED', () => {
    const result = build('futureLeaf', ['inter'], ['root']);
    expect(codes(result)).toEqual([['not-yet-valid', '0x800B0101']]);
    expect(result.problems[0]!.message).toContain('2030-01-01T00:00:00Z');
  });

  it('reports every expired certificate of the chain', () => {
    const result = build('oldLeaf', ['oldInter'], ['root']);
    expect(codes(result)).toEqual([
      ['expired', '0x800B0101'],
      ['expired', '0x800B0101'],
    ]);
    expect(result.problems.map((p) => p.certificate?.commonName)).toEqual([
      'Old Signer',
      'Old Code Signing CA',
    ]);
    expect(
      build('oldLeaf', ['oldInter'], ['root'], { time: new Date('2020-06-01Z') }).problems,
    ).toEqual([]);
  });

  it('checks the trusted root’s validity too', () => {
    const result = build('expiredRootLeaf', [], ['expiredRoot']);
    expect(result.status).toBe('trusted');
    expect(result.problems.map((p) => [p.code, p.certificate?.commonName])).toEqual([
      ['expired', 'Expired Root Signer'],
      ['expired', 'Expired Root CA'],
    ]);
    expect(result.problems[1]!.message).toContain('root certificate');
    const inTime = build('expiredRootLeaf', [], ['expiredRoot'], { time: new Date('2012-01-01Z') });
    expect(inTime.problems).toEqual([]);
  });
});

describe.skipIf(SKIP)(titled('CA constraints', SKIP), () => {
  it('rejects an issuer with basicConstraints cA=FALSE (TRUST_E_BASIC_CONSTRAINTS)', () => {
    const result = build('notCaLeaf', ['notCaInter'], ['root']);
    expect(result.status).toBe('trusted');
    expect(codes(result)).toEqual([['bad-certificate', '0x80096019']]);
    expect(result.problems[0]!.message).toContain('cA=FALSE');
  });

  it('rejects an intermediate without basicConstraints (TRUST_E_BASIC_CONSTRAINTS)', () => {
    const result = build('noBcLeaf', ['noBcInter'], ['root']);
    expect(codes(result)).toEqual([['bad-certificate', '0x80096019']]);
    expect(result.problems[0]!.message).toContain('no basicConstraints');
  });

  it('rejects a CA whose keyUsage lacks keyCertSign', () => {
    const result = build('noCertSignLeaf', ['noCertSignInter'], ['root']);
    expect(codes(result)).toEqual([['bad-key-usage', '0x800B0110']]);
    expect(result.problems[0]!.message).toContain('keyCertSign');
  });

  it('enforces pathLenConstraint (CERT_E_PATHLENCONST)', () => {
    const result = build('pathLenLeaf', ['subInter', 'inter'], ['root']);
    expect(result.status).toBe('trusted');
    expect(codes(result)).toEqual([['bad-certificate', '0x800B0104']]);
    expect(result.problems[0]!.certificate?.equals(c.inter!)).toBe(true);
  });

  it('rejects an unknown critical extension (CERT_E_CRITICAL)', () => {
    const result = build('criticalLeaf', ['inter'], ['root']);
    expect(codes(result)).toEqual([['bad-certificate', '0x800B0105']]);
    expect(result.problems[0]!.message).toContain('1.3.6.1.4.1.99999.1');
  });
});

describe.skipIf(SKIP)(titled('key usage and extended key usage', SKIP), () => {
  it('rejects a serverAuth-only signer (CERT_E_WRONG_USAGE)', () => {
    const result = build('serverAuthLeaf', ['inter'], ['root']);
    expect(codes(result)).toEqual([['no-codesigning-eku', '0x800B0110']]);
    expect(result.problems[0]!.message).toContain('serverAuth (1.3.6.1.5.5.7.3.1)');
  });

  it('accepts a signer without an EKU extension and flags it', () => {
    const result = build('noEkuLeaf', ['inter'], ['root']);
    expect(result.problems).toEqual([]);
    expect(result.leafHasNoEku).toBe(true);
  });

  it('reports the lifetime-signing EKU', () => {
    const result = build('lifetimeLeaf', ['inter'], ['root']);
    expect(result.problems).toEqual([]);
    expect(result.lifetimeSigning).toBe(true);
  });

  it('rejects a signer whose keyUsage lacks digitalSignature', () => {
    const result = build('keyEnciphermentLeaf', ['inter'], ['root']);
    expect(codes(result)).toEqual([['bad-key-usage', '0x800B0110']]);
    expect(result.problems[0]!.message).toContain('digitalSignature');
  });

  it('rejects a chain through a CA restricted to serverAuth', () => {
    const result = build('serverAuthInterLeaf', ['serverAuthInter'], ['root']);
    expect(codes(result)).toEqual([['no-codesigning-eku', '0x800B0110']]);
    expect(result.problems[0]!.certificate?.equals(c.serverAuthInter!)).toBe(true);
  });

  it('accepts a chain through a CA with anyExtendedKeyUsage', () => {
    expect(build('anyEkuInterLeaf', ['anyEkuInter'], ['root']).problems).toEqual([]);
  });

  it('validates a TSA certificate for timestamping', () => {
    const result = build('tsa', ['inter'], ['root'], { usage: 'timeStamping' });
    expect(result.problems).toEqual([]);
  });

  it('rejects a code-signing certificate used as a TSA (TRUST_E_TIME_STAMP)', () => {
    const result = build('leaf', ['inter'], ['root'], { usage: 'timeStamping' });
    expect(codes(result)).toEqual([['timestamp-invalid', '0x80096005']]);
  });

  it('rejects a TSA certificate used for code signing', () => {
    const result = build('tsa', ['inter'], ['root']);
    expect(codes(result)).toEqual([['no-codesigning-eku', '0x800B0110']]);
  });

  it('rejects a TSA certificate without any EKU extension (deliberate strictness, RFC 3161 §2.3)', () => {
    const result = build('noEkuTsa', ['inter'], ['root'], { usage: 'timeStamping' });
    expect(codes(result)).toEqual([['timestamp-invalid', '0x80096005']]);
    expect(result.problems[0]!.message).toContain('id-kp-timeStamping');
    // The same certificate is a valid code signer: no EKU means any usage there.
    expect(build('noEkuTsa', ['inter'], ['root']).problems).toEqual([]);
  });

  it('rejects a TSA under a CA restricted to code signing', () => {
    const result = build('tsaUnderCodeSigningInter', ['codeSigningInter'], ['root'], {
      usage: 'timeStamping',
    });
    expect(codes(result)).toEqual([['timestamp-invalid', '0x80096005']]);
  });
});

describe.skipIf(SKIP)(titled("Windows' algorithm floor and constraints", SKIP), () => {
  it('rejects a 512-bit RSA signer key', () => {
    const result = build('weakKeyLeaf', ['inter'], ['root']);
    expect(result.status).toBe('trusted');
    expect(codes(result)).toEqual([['weak-key', '0x80096004']]);
    expect(result.problems[0]!.message).toContain('512-bit RSA key');
  });

  it('rejects a 512-bit RSA key in a CA of the chain', () => {
    const result = build('weakKeyInterLeaf', ['weakKeyInter'], ['root']);
    expect(codes(result)).toEqual([['weak-key', '0x80096004']]);
    expect(result.problems[0]!.certificate?.equals(c.weakKeyInter!)).toBe(true);
  });

  it('rejects a 512-bit RSA key in a timestamp authority chain too', () => {
    const result = build('weakKeyInterLeaf', ['weakKeyInter'], ['root'], {
      usage: 'timeStamping',
    });
    expect(codes(result).map(([code]) => code)).toContain('weak-key');
  });

  it('rejects an intermediate its issuer signed with MD5', () => {
    const result = build('md5InterLeaf', ['md5Inter'], ['rsaRoot']);
    expect(result.status).toBe('trusted');
    expect(codes(result)).toEqual([['weak-certificate-signature', '0x80096004']]);
    expect(result.problems[0]!.certificate?.equals(c.md5Inter!)).toBe(true);
  });

  it("accepts a root's MD5 self-signature", () => {
    expect(build('md5RootLeaf', [], ['md5Root']).problems).toEqual([]);
  });

  it('never verifies with an RSA key whose public exponent exceeds 64 bits', () => {
    const result = build('bigExponentLeaf', ['bigExponentInter'], ['root']);
    expect(result.status).toBe('incomplete');
    expect(codes(result)).toEqual([['unsupported-algorithm', '0x80096004']]);
    expect(result.problems[0]!.message).toContain('66 bits');
  });

  it('refuses a chain with critical name constraints, which it does not evaluate', () => {
    const result = build('nameConstrainedLeaf', ['nameConstrainedInter'], ['root']);
    expect(result.status).toBe('trusted');
    expect(codes(result)).toEqual([['unevaluated-constraint', '0x800B0105']]);
    expect(result.problems[0]!.message).toContain('name constraints');
  });

  it('refuses a chain with critical policy constraints', () => {
    const result = build('policyConstrainedLeaf', ['policyConstrainedInter'], ['root']);
    expect(codes(result)).toEqual([['unevaluated-constraint', '0x800B0105']]);
    expect(result.problems[0]!.message).toContain('policy constraints');
  });

  it('refuses a constraint carried by the trusted anchor itself', () => {
    const result = build('nameConstrainedLeaf', [], ['nameConstrainedInter']);
    expect(codes(result)).toEqual([['unevaluated-constraint', '0x800B0105']]);
  });

  it('ignores non-critical name constraints', () => {
    expect(
      build('softNameConstrainedLeaf', ['softNameConstrainedInter'], ['root']).problems,
    ).toEqual([]);
  });
});

describe.skipIf(SKIP)(titled('bounded chain building', SKIP), () => {
  /** Fresh objects: signature results are cached per certificate object. */
  const fresh = (name: string): Certificate => Certificate.fromDer(c[name]!.der);

  it(`tries at most ${MAX_ISSUER_CANDIDATES} same-named issuers per step`, () => {
    const decoys = Array.from({ length: 10 }, (_, i) => fresh(`decoy${i}`));
    const budget = new SignatureCheckBudget(1000);
    const result = buildChain(fresh('crowdedLeaf'), {
      intermediates: [...decoys, fresh('crowdedInter')],
      anchors: [fresh('root')],
      time: AT,
      usage: 'codeSigning',
      budget,
    });
    // The real issuer is the 11th equally good candidate: never tried.
    expect(result.status).toBe('incomplete');
    expect(codes(result)).toEqual([['bad-certificate', '0x80096004']]);
    expect(budget.spent).toBe(MAX_ISSUER_CANDIDATES);
    // Offered among the first eight, it is found.
    const found = buildChain(fresh('crowdedLeaf'), {
      intermediates: [fresh('crowdedInter'), ...decoys],
      anchors: [fresh('root')],
      time: AT,
      usage: 'codeSigning',
    });
    expect(found.status).toBe('trusted');
  });

  it('stops at the per-file budget of signature checks and says so', () => {
    const budget = new SignatureCheckBudget(1);
    const options = {
      intermediates: [fresh('inter')],
      anchors: [fresh('root')],
      time: AT,
      usage: 'codeSigning' as const,
      budget,
    };
    const result = buildChain(fresh('leaf'), options);
    expect(result.status).toBe('incomplete');
    expect(codes(result)[0]).toEqual(['chain-incomplete', '0x800B010A']);
    expect(result.problems[0]!.message).toContain('after 1 certificate signature checks');
    expect(budget.spent).toBe(1);
    // With room for the two checks the same chain is trusted.
    const roomy = buildChain(fresh('leaf'), { ...options, budget: new SignatureCheckBudget(2) });
    expect(roomy.status).toBe('trusted');
    expect(SIGNATURE_CHECKS_PER_FILE).toBeGreaterThanOrEqual(64);
  });
});

describe.skipIf(SKIP)(titled('timestamp authority chain messages', SKIP), () => {
  it('tells to add an untrusted TSA root to tsa-roots', () => {
    const result = build('tsa', ['inter', 'root'], ['root2'], { usage: 'timeStamping' });
    expect(codes(result)).toEqual([['untrusted-root', '0x800B0109']]);
    expect(result.problems[0]!.message).toContain('to tsa-roots');
  });

  it('tells to add a missing TSA root to tsa-roots', () => {
    const result = build('tsa', ['inter'], ['root2'], { usage: 'timeStamping' });
    expect(codes(result)).toEqual([['chain-incomplete', '0x800B010A']]);
    expect(result.problems[0]!.message).toContain('to tsa-roots');
  });
});

describe.skipIf(SKIP)(titled('problem order', SKIP), () => {
  it('puts the root/chaining error before expiry and usage, as WinVerifyTrust reports', () => {
    const result = build('oldLeaf', ['oldInter', 'root'], ['root2']);
    expect(result.status).toBe('untrusted-root');
    expect(result.problems.map((p) => p.code)).toEqual(['untrusted-root', 'expired', 'expired']);
    expect(firstChainError(result.problems)?.hresult).toBe('0x800B0109');
  });

  it('puts a bad certificate signature first', () => {
    const result = build('impostorLeaf', ['inter'], ['root'], { time: new Date('2050-01-01Z') });
    expect(result.problems.map((p) => p.hresult)).toEqual(['0x80096004', '0x800B0101']);
  });

  it('maps codes to HRESULTs', () => {
    expect(hresultForCode('chain-incomplete')).toBe('0x800B010A');
    expect(hresultForCode('not-yet-valid')).toBe('0x800B0101');
    expect(hresultForCode('no-codesigning-eku')).toBe('0x800B0110');
    expect(hresultForCode('wrong-signer')).toBe('0x800B010B');
    expect(firstChainError([])).toBeUndefined();
  });
});

describe.skipIf(SKIP)(titled('validationTime', SKIP), () => {
  const now = new Date('2025-06-01Z');
  const stamp = new Date('2020-06-01Z');

  it('uses the timestamp time for an ordinary signer', () => {
    expect(validationTime({ timestamp: stamp, leaf: c.leaf!, now })).toEqual({
      time: stamp,
      reason: 'timestamp',
    });
  });

  it('uses now when the signer has the lifetime-signing EKU', () => {
    expect(validationTime({ timestamp: stamp, leaf: c.lifetimeLeaf!, now })).toEqual({
      time: now,
      reason: 'lifetime-signing',
    });
  });

  it('uses now without a timestamp', () => {
    expect(validationTime({ leaf: c.leaf!, now })).toEqual({ time: now, reason: 'no-timestamp' });
    expect(validationTime({ timestamp: null, leaf: c.leaf!, now }).reason).toBe('no-timestamp');
  });
});

describe.skipIf(SKIP)(titled('termination (property)', SKIP), () => {
  const POOL = [
    'root',
    'inter',
    'root2',
    'cycleA',
    'cycleB',
    'cycleSeedA',
    'cycleSeedB',
    'twinA',
    'twinB',
    'newRoot',
    'newRootCross',
    'newInter',
    'impostorInter',
    'subInter',
    'oldInter',
  ];
  const LEAVES = [
    'leaf',
    'cycleLeaf',
    'twinLeaf',
    'newLeaf',
    'impostorLeaf',
    'pathLenLeaf',
    'oldLeaf',
  ];

  it('terminates with a well-formed, loop-free chain for any pool and anchors', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LEAVES),
        fc.shuffledSubarray(POOL),
        fc.subarray(POOL, { maxLength: 3 }),
        fc.integer({ min: 1, max: 12 }),
        (leaf, pool, anchors, maxLength) => {
          const result = build(leaf, pool, anchors, { maxLength });
          expect(result.chain[0]!.equals(c[leaf]!)).toBe(true);
          expect(result.chain.length).toBeLessThanOrEqual(maxLength);
          const ders = result.chain.map((cert) => cert.sha256);
          expect(new Set(ders).size).toBe(ders.length);
          for (let i = 0; i + 1 < result.chain.length; i++) {
            expect(result.chain[i]!.issuer).toBe(result.chain[i + 1]!.subject);
          }
          if (result.status === 'trusted') {
            expect(anchors.length).toBeGreaterThan(0);
            expect(result.anchor).toBeDefined();
          }
          if (anchors.length === 0) expect(['no-anchors', 'incomplete']).toContain(result.status);
        },
      ),
      { numRuns: 300 },
    );
  });
});
