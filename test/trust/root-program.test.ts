import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChain, type ChainResult, type ChainUsage } from '../../src/trust/chain.js';
import { readTrustList, verifyTrustList } from '../../src/trust/ctl.js';
import { RootProgram } from '../../src/trust/root-program.js';
import { generateWindowsRoots } from '../../src/trust/windows-roots-generator.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Certificate } from '../../src/x509/certificate.js';
import { REPO } from '../support/manifest.js';
import { buildTrustList, PURPOSE } from './ctl-builder.js';
import { generatePki, removePki, type TestPki } from './pki.js';
import { skipWithout, titled } from '../support/tools.js';

/** The test PKI is made with openssl (why the suites skip, when they do: test/support/tools.ts). */
const SKIP = skipWithout('openssl');

/**
 * The root-program rules on lists of our own, signed by the test PKI's root (standing in for
 * Microsoft Root Certificate Authority 2010) through a list-signer certificate: one listed root
 * per property (docs/windows-roots.md).
 */

let pki: TestPki;
let c: Record<string, Certificate>;
let program: RootProgram;
let listDer: Buffer;

const DISABLED_FROM = new Date('2024-01-01T00:00:00Z');
const NOT_BEFORE = new Date('2023-01-01T00:00:00Z');
const THIS_UPDATE = new Date('2025-01-15T12:00:00Z');

beforeAll(() => {
  if (SKIP) return;
  pki = generatePki([
    'root',
    'ctlSigner',
    'disabledRootLeaf',
    'notBeforeEarlyLeaf',
    'notBeforeLateLeaf',
    'notBeforeLateTsa',
    'serverAuthRootLeaf',
    'root2Leaf',
  ]);
  c = pki.cert;
  listDer = buildTrustList({
    thisUpdate: THIS_UPDATE,
    signer: c.ctlSigner!,
    signerKeyPath: pki.keyPath.ctlSigner!,
    certificates: [c.root!],
    entries: [
      {
        certificate: c.disabledRoot!,
        purposes: [PURPOSE.codeSigning, PURPOSE.timeStamping],
        disabledFrom: DISABLED_FROM,
      },
      {
        certificate: c.notBeforeRoot!,
        purposes: [PURPOSE.codeSigning, PURPOSE.timeStamping],
        notBefore: NOT_BEFORE,
        notBeforePurposes: [PURPOSE.codeSigning],
      },
      { certificate: c.serverAuthRoot!, purposes: [PURPOSE.serverAuth] },
    ],
  });
  const byThumbprint = new Map(Object.values(c).map((cert) => [cert.sha1, cert]));
  const generated = generateWindowsRoots({
    list: listDer,
    certificate: (sha1) => byThumbprint.get(sha1) ?? null,
    signerRoots: [c.root!],
    origin: 'test list',
  });
  program = new RootProgram(
    generated.info,
    () => generated.records,
    () => generated.certificates,
  );
});

afterAll(() => {
  if (!SKIP) removePki(pki);
});

function chain(
  leaf: string,
  pool: string[],
  time: Date,
  usage: ChainUsage = 'codeSigning',
): ChainResult {
  return buildChain(c[leaf]!, {
    intermediates: pool.map((n) => c[n]!),
    anchors: [],
    rootProgram: program,
    time,
    usage,
  });
}

const codes = (result: ChainResult) => result.problems.map((p) => p.code);

describe.skipIf(SKIP)(titled('a list of our own', SKIP), () => {
  it('reads every property back', () => {
    const list = readTrustList(listDer);
    expect(list.thisUpdate).toEqual(THIS_UPDATE);
    const byRoot = new Map(list.entries.map((e) => [e.sha1, e]));
    expect(byRoot.get(c.disabledRoot!.sha1)).toMatchObject({
      friendlyName: 'Disabled Root',
      purposes: [PURPOSE.codeSigning, PURPOSE.timeStamping],
      disabledFrom: DISABLED_FROM,
      notBefore: null,
    });
    expect(byRoot.get(c.notBeforeRoot!.sha1)).toMatchObject({
      notBefore: NOT_BEFORE,
      notBeforePurposes: [PURPOSE.codeSigning],
      disabledFrom: null,
    });
    expect(byRoot.get(c.serverAuthRoot!.sha1)?.purposes).toEqual([PURPOSE.serverAuth]);
  });

  it('verifies under the root standing in for Microsoft’s and not under another root', () => {
    const list = readTrustList(listDer);
    expect(verifyTrustList(list, [c.root!]).ok).toBe(true);
    const other = verifyTrustList(list, [c.root2!]);
    expect(other.ok).toBe(false);
  });

  it('keeps the certificate of code-signing roots only', () => {
    expect(program.lookup(c.disabledRoot!.sha1)?.certificate).toBe(true);
    expect(program.lookup(c.serverAuthRoot!.sha1)?.certificate).toBeUndefined();
    expect(program.lookup(c.serverAuthRoot!.sha1)?.purposes).toEqual(['serverAuth']);
  });
});

describe.skipIf(SKIP)(titled('a root disabled for code signing from a date', SKIP), () => {
  it('anchors a chain validated (timestamped) before the date', () => {
    const result = chain('disabledRootLeaf', [], new Date('2023-06-01T00:00:00Z'));
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
    expect(result.rootProgram).toMatchObject({ trusted: true });
  });

  it('fails untrusted-root from the date on, saying so', () => {
    const result = chain('disabledRootLeaf', [], DISABLED_FROM);
    expect(result.status).toBe('untrusted-root');
    expect(codes(result)).toEqual(['untrusted-root']);
    expect(result.problems[0]!.hresult).toBe('0x800B0109');
    expect(result.problems[0]!.message).toContain('disabled it on 2024-01-01');
  });
});

describe.skipIf(SKIP)(titled('a root with a NotBefore date for code signing', SKIP), () => {
  it('trusts a signer certificate issued before the date', () => {
    const result = chain('notBeforeEarlyLeaf', [], new Date('2025-06-01T00:00:00Z'));
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
  });

  it('rejects a signer certificate issued after the date, whatever the validation time', () => {
    const result = chain('notBeforeLateLeaf', [], new Date('2024-06-01T00:00:00Z'));
    expect(result.status).toBe('untrusted-root');
    expect(codes(result)).toEqual(['untrusted-root']);
    expect(result.problems[0]!.message).toContain('issued before 2023-01-01');
    expect(result.problems[0]!.message).toContain('Signer Issued After NotBefore');
  });

  it('does not apply the date to time stamping, which the NotBefore purposes leave out', () => {
    const result = chain('notBeforeLateTsa', [], new Date('2024-06-01T00:00:00Z'), 'timeStamping');
    expect(result.status).toBe('trusted');
    expect(result.problems).toEqual([]);
  });
});

describe.skipIf(SKIP)(titled('a root trusted only for server authentication', SKIP), () => {
  it('fails a code-signing chain with untrusted-root and says why', () => {
    const result = chain(
      'serverAuthRootLeaf',
      ['serverAuthRoot'],
      new Date('2025-06-01T00:00:00Z'),
    );
    expect(result.status).toBe('untrusted-root');
    expect(codes(result)).toEqual(['untrusted-root']);
    expect(result.problems[0]!.message).toContain(
      'trusts it only for serverAuth, not for code signing',
    );
  });

  it('says the same when the signature does not carry the root (matched by name)', () => {
    const result = chain('serverAuthRootLeaf', [], new Date('2025-06-01T00:00:00Z'));
    expect(result.status).toBe('untrusted-root');
    expect(codes(result)).toEqual(['untrusted-root']);
    expect(result.problems[0]!.message).toContain('Server Authentication Root');
    expect(result.problems[0]!.message).toContain('only for serverAuth');
  });
});

describe.skipIf(SKIP)(titled('a root absent from the list', SKIP), () => {
  it('fails untrusted-root naming the input that would fix it', () => {
    const result = chain('root2Leaf', ['root2'], new Date('2025-06-01T00:00:00Z'));
    expect(result.status).toBe('untrusted-root');
    expect(codes(result)).toEqual(['untrusted-root']);
    expect(result.problems[0]!.message).toContain('not in Microsoft');
    expect(result.problems[0]!.message).toContain('trusted-roots');
  });

  it('is trusted when also given as a root file (windows and a file combined)', () => {
    const result = buildChain(c.root2Leaf!, {
      intermediates: [],
      anchors: [c.root2!],
      rootProgram: program,
      time: new Date('2025-06-01T00:00:00Z'),
      usage: 'codeSigning',
    });
    expect(result.status).toBe('trusted');
    expect(result.rootProgram).toBeUndefined();
  });
});

describe.skipIf(SKIP)(titled('assessing a chain root for reports', SKIP), () => {
  const at = (endEntity: string) => ({
    time: new Date('2025-06-01T00:00:00Z'),
    endEntity: c[endEntity]!,
  });

  it('finds a listed root itself, or by the issuer name of the last certificate, and judges it', () => {
    const itself = program.assess(c.disabledRoot!, 'codeSigning', at('disabledRootLeaf'));
    expect(itself).toMatchObject({ listed: true, trusted: false, name: 'Disabled Root' });
    expect(itself.why).toContain('disabled it on 2024-01-01');
    const byName = program.assess(c.notBeforeEarlyLeaf!, 'codeSigning', at('notBeforeEarlyLeaf'));
    expect(byName).toMatchObject({ listed: true, trusted: true, name: 'NotBefore Root' });
    expect(byName.summary).toBe(
      'trusted for codeSigning, timeStamping; only certificates issued before 2023-01-01 for codeSigning',
    );
  });

  it('says when a root is not listed', () => {
    expect(program.assess(c.root2!, 'codeSigning', at('root2Leaf'))).toEqual({
      list: program.info,
      listed: false,
      trusted: false,
    });
  });
});

describe.skipIf(SKIP)(titled('the shipped windows store', SKIP), () => {
  it('trusts DigiCert Trusted Root G4 for code signing and time stamping, and knows its list', async () => {
    const { windowsRootProgram } = await import('../../src/trust/windows-roots.js');
    const store = windowsRootProgram();
    expect(store.info.thisUpdate).toBe('2025-06-16T17:56:11Z');
    const record = store.lookup('DDFB16CD4931C973A2037D3FC83A4D7D775D05E4')!;
    expect(record.name).toBe('DigiCert Trusted Root G4');
    const { certificates } = JSON.parse(
      readFileSync(join(REPO, 'src/trust/windows-roots-certificates.json'), 'utf8'),
    ) as { certificates: Record<string, string> };
    const copy = Certificate.fromDer(Buffer.from(certificates[record.sha1]!, 'base64'));
    const [root] = store.certificatesNamed(copy.subjectDer);
    expect(root?.sha1).toBe('ddfb16cd4931c973a2037d3fc83a4d7d775d05e4');
    for (const usage of ['codeSigning', 'timeStamping'] as const) {
      expect(store.assess(root!, usage, { time: new Date(), endEntity: root! }).trusted).toBe(true);
    }
  });

  it('keeps a root trusted only for other purposes without its certificate', async () => {
    const { windowsRootProgram } = await import('../../src/trust/windows-roots.js');
    const store = windowsRootProgram();
    expect(store.lookup('17F3DE5E9F0F19E98EF61F32266E20C407AE30EE')).toEqual({
      sha1: '17f3de5e9f0f19e98ef61f32266e20c407ae30ee',
      name: 'DigiCert TLS ECC P384 Root G5',
      purposes: ['clientAuth', 'serverAuth'],
      subject: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(store.usableCount).toBe(372);
  });
});
