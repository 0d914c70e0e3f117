import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Certificate } from '../../src/x509/certificate.js';

/**
 * A throw-away PKI made with `openssl ca` (explicit -startdate/-enddate, so no clock faking),
 * covering every chain and usage case the trust tests assert. Validity periods are fixed
 * dates; tests pass an explicit validation time (AT = 2025-06-01).
 */

export const AT = new Date('2025-06-01T00:00:00Z');

interface Spec {
  subject: string;
  /** Spec name whose key this certificate reuses (cross-signing). Default: its own new key. */
  keyOf?: string;
  /** Spec name of the issuing certificate; omitted = self-signed. */
  issuer?: string;
  ext: string[] | null;
  start?: string;
  end?: string;
  rsa?: boolean;
  /** RSA modulus size (implies RSA); default 2048 for RSA keys. */
  bits?: number;
  /** RSA public exponent, decimal (implies RSA; generated with openssl). */
  exponent?: string;
  /** Digest of the issuer's signature on this certificate (openssl ca -md). Default sha256. */
  md?: string;
}

const O = '/O=verify-authenticode tests';

const CA_EXT = [
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign, cRLSign',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
];
const ROOT_EXT = [
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign, cRLSign',
  'subjectKeyIdentifier = hash',
];
const LEAF_BASE = [
  'basicConstraints = CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
];
const CODE_SIGNING_EXT = [...LEAF_BASE, 'extendedKeyUsage = codeSigning'];
const CROWDED_EXT = [
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign',
  'subjectKeyIdentifier = 0102030405060708090A0B0C0D0E0F1011121314',
];

const SPECS: Record<string, Spec> = {
  root: {
    subject: `/CN=Test Root CA${O}`,
    ext: ROOT_EXT,
    start: '20190101000000Z',
    end: '20450101000000Z',
  },
  inter: {
    subject: `/CN=Test Code Signing CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT.slice(1), 'basicConstraints = critical, CA:TRUE, pathlen:0'],
  },
  leaf: {
    subject: `/CN=Contoso Installers${O}`,
    issuer: 'inter',
    ext: CODE_SIGNING_EXT,
    rsa: true,
  },
  leaf2: { subject: `/CN=Fabrikam Installers${O}`, issuer: 'inter', ext: CODE_SIGNING_EXT },
  expiredLeaf: {
    subject: `/CN=Expired Signer${O}`,
    issuer: 'inter',
    ext: CODE_SIGNING_EXT,
    start: '20200101000000Z',
    end: '20210101000000Z',
  },
  futureLeaf: {
    subject: `/CN=Future Signer${O}`,
    issuer: 'inter',
    ext: CODE_SIGNING_EXT,
    start: '20300101000000Z',
    end: '20350101000000Z',
  },
  serverAuthLeaf: {
    subject: `/CN=Web Server${O}`,
    issuer: 'inter',
    ext: [...LEAF_BASE, 'extendedKeyUsage = serverAuth'],
  },
  noEkuLeaf: { subject: `/CN=No EKU Signer${O}`, issuer: 'inter', ext: LEAF_BASE },
  lifetimeLeaf: {
    subject: `/CN=Lifetime Signer${O}`,
    issuer: 'inter',
    ext: [...LEAF_BASE, 'extendedKeyUsage = codeSigning, 1.3.6.1.4.1.311.10.3.13'],
  },
  criticalLeaf: {
    subject: `/CN=Critical Extension Signer${O}`,
    issuer: 'inter',
    ext: [...CODE_SIGNING_EXT, '1.3.6.1.4.1.99999.1 = critical, ASN1:NULL'],
  },
  keyEnciphermentLeaf: {
    subject: `/CN=Key Encipherment Signer${O}`,
    issuer: 'inter',
    ext: [
      'basicConstraints = CA:FALSE',
      'keyUsage = critical, keyEncipherment',
      'extendedKeyUsage = codeSigning',
    ],
  },
  tsa: {
    subject: `/CN=Test TSA${O}`,
    issuer: 'inter',
    ext: [...LEAF_BASE, 'extendedKeyUsage = critical, timeStamping'],
  },
  // Old PKI: valid in 2020, expired by 2025 (a timestamped file must still verify at 2020).
  oldInter: {
    subject: `/CN=Old Code Signing CA${O}`,
    issuer: 'root',
    ext: CA_EXT,
    start: '20190101000000Z',
    end: '20220101000000Z',
  },
  oldLeaf: {
    subject: `/CN=Old Signer${O}`,
    issuer: 'oldInter',
    ext: CODE_SIGNING_EXT,
    start: '20200101000000Z',
    end: '20210101000000Z',
  },
  expiredRoot: {
    subject: `/CN=Expired Root CA${O}`,
    ext: ROOT_EXT,
    start: '20100101000000Z',
    end: '20150101000000Z',
  },
  expiredRootLeaf: {
    subject: `/CN=Expired Root Signer${O}`,
    issuer: 'expiredRoot',
    ext: CODE_SIGNING_EXT,
    start: '20100101000000Z',
    end: '20150101000000Z',
  },
  // A v1 root with no extensions at all (like "Microsoft Root Authority").
  v1Root: { subject: `/CN=Version 1 Root${O}`, ext: null },
  v1RootLeaf: {
    subject: `/CN=Signer Under V1 Root${O}`,
    issuer: 'v1Root',
    ext: [...LEAF_BASE.slice(0, 3), 'extendedKeyUsage = codeSigning'],
  },
  // CA constraint violations.
  notCaInter: {
    subject: `/CN=Not A CA${O}`,
    issuer: 'root',
    ext: [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, keyCertSign, digitalSignature',
      'subjectKeyIdentifier = hash',
    ],
  },
  notCaLeaf: {
    subject: `/CN=Signer Under Not A CA${O}`,
    issuer: 'notCaInter',
    ext: CODE_SIGNING_EXT,
  },
  noBcInter: {
    subject: `/CN=No Basic Constraints CA${O}`,
    issuer: 'root',
    ext: ['keyUsage = critical, keyCertSign', 'subjectKeyIdentifier = hash'],
  },
  noBcLeaf: {
    subject: `/CN=Signer Under No BC CA${O}`,
    issuer: 'noBcInter',
    ext: CODE_SIGNING_EXT,
  },
  noCertSignInter: {
    subject: `/CN=No keyCertSign CA${O}`,
    issuer: 'root',
    ext: [
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, digitalSignature, cRLSign',
      'subjectKeyIdentifier = hash',
    ],
  },
  noCertSignLeaf: {
    subject: `/CN=Signer Under No keyCertSign CA${O}`,
    issuer: 'noCertSignInter',
    ext: CODE_SIGNING_EXT,
  },
  subInter: { subject: `/CN=Too Deep CA${O}`, issuer: 'inter', ext: CA_EXT },
  pathLenLeaf: { subject: `/CN=Too Deep Signer${O}`, issuer: 'subInter', ext: CODE_SIGNING_EXT },
  // EKU restrictions on CAs.
  serverAuthInter: {
    subject: `/CN=TLS Only CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT, 'extendedKeyUsage = serverAuth'],
  },
  serverAuthInterLeaf: {
    subject: `/CN=Signer Under TLS CA${O}`,
    issuer: 'serverAuthInter',
    ext: CODE_SIGNING_EXT,
  },
  anyEkuInter: {
    subject: `/CN=Any Usage CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT, 'extendedKeyUsage = anyExtendedKeyUsage'],
  },
  anyEkuInterLeaf: {
    subject: `/CN=Signer Under Any CA${O}`,
    issuer: 'anyEkuInter',
    ext: CODE_SIGNING_EXT,
  },
  codeSigningInter: {
    subject: `/CN=Code Signing Only CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT, 'extendedKeyUsage = codeSigning'],
  },
  tsaUnderCodeSigningInter: {
    subject: `/CN=TSA Under Code Signing CA${O}`,
    issuer: 'codeSigningInter',
    ext: [...LEAF_BASE, 'extendedKeyUsage = critical, timeStamping'],
  },
  // A second root nobody trusts.
  root2: { subject: `/CN=Other Root CA${O}`, ext: ROOT_EXT },
  root2Leaf: { subject: `/CN=Signer Under Other Root${O}`, issuer: 'root2', ext: CODE_SIGNING_EXT },
  // Same Name as `inter`, other key: signs a leaf whose issuer Name matches `inter`.
  impostorInter: {
    subject: `/CN=Test Code Signing CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT.slice(1), 'basicConstraints = critical, CA:TRUE, pathlen:0'],
  },
  impostorLeaf: {
    subject: `/CN=Impostor Signer${O}`,
    issuer: 'impostorInter',
    ext: [...LEAF_BASE.slice(0, 3), 'extendedKeyUsage = codeSigning'],
  },
  // Two CAs with one Name, no key identifiers: only twinB verifies twinLeaf.
  twinA: {
    subject: `/CN=Twin CA${O}`,
    issuer: 'root',
    ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign'],
  },
  twinB: {
    subject: `/CN=Twin CA${O}`,
    issuer: 'root',
    ext: ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign'],
  },
  twinLeaf: {
    subject: `/CN=Twin Signer${O}`,
    issuer: 'twinB',
    ext: [
      'basicConstraints = CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = codeSigning',
    ],
  },
  // Microsoft's Trusted Root Program stand-ins (root-program.test.ts): `root` signs the list
  // through ctlSigner; each listed root below gets one property of the list.
  ctlSigner: {
    subject: `/CN=Test Certificate Trust List Publisher${O}`,
    issuer: 'root',
    ext: [...LEAF_BASE, 'extendedKeyUsage = 1.3.6.1.4.1.311.10.3.9'],
  },
  disabledRoot: { subject: `/CN=Disabled Root${O}`, ext: ROOT_EXT },
  disabledRootLeaf: {
    subject: `/CN=Signer Under Disabled Root${O}`,
    issuer: 'disabledRoot',
    ext: CODE_SIGNING_EXT,
  },
  notBeforeRoot: { subject: `/CN=NotBefore Root${O}`, ext: ROOT_EXT },
  notBeforeEarlyLeaf: {
    subject: `/CN=Signer Issued Before NotBefore${O}`,
    issuer: 'notBeforeRoot',
    ext: CODE_SIGNING_EXT,
    start: '20220101000000Z',
  },
  notBeforeLateLeaf: {
    subject: `/CN=Signer Issued After NotBefore${O}`,
    issuer: 'notBeforeRoot',
    ext: CODE_SIGNING_EXT,
    start: '20240101000000Z',
  },
  notBeforeLateTsa: {
    subject: `/CN=TSA Issued After NotBefore${O}`,
    issuer: 'notBeforeRoot',
    ext: [...LEAF_BASE, 'extendedKeyUsage = critical, timeStamping'],
    start: '20240101000000Z',
  },
  serverAuthRoot: { subject: `/CN=Server Authentication Root${O}`, ext: ROOT_EXT },
  serverAuthRootLeaf: {
    subject: `/CN=Signer Under Server Authentication Root${O}`,
    issuer: 'serverAuthRoot',
    ext: CODE_SIGNING_EXT,
  },
  // Cross-signing: newRoot is self-signed; newRootCross is the same Name and key issued by root.
  newRoot: { subject: `/CN=New Root CA${O}`, ext: ROOT_EXT },
  newRootCross: { subject: `/CN=New Root CA${O}`, keyOf: 'newRoot', issuer: 'root', ext: CA_EXT },
  newInter: { subject: `/CN=New Code Signing CA${O}`, issuer: 'newRoot', ext: CA_EXT },
  newLeaf: { subject: `/CN=Signer Under New Root${O}`, issuer: 'newInter', ext: CODE_SIGNING_EXT },
  // A cycle: cycleA is issued by cycleB and cycleB by cycleA (helpers give each its issuer Name).
  cycleSeedA: { subject: `/CN=Cycle A${O}`, ext: ROOT_EXT },
  cycleSeedB: { subject: `/CN=Cycle B${O}`, ext: ROOT_EXT },
  cycleA: { subject: `/CN=Cycle A${O}`, keyOf: 'cycleSeedA', issuer: 'cycleSeedB', ext: CA_EXT },
  cycleB: { subject: `/CN=Cycle B${O}`, keyOf: 'cycleSeedB', issuer: 'cycleSeedA', ext: CA_EXT },
  cycleLeaf: { subject: `/CN=Cycle Signer${O}`, issuer: 'cycleA', ext: CODE_SIGNING_EXT },
  // Windows' algorithm floor.
  weakKeyLeaf: {
    subject: `/CN=512-bit Signer${O}`,
    issuer: 'inter',
    ext: CODE_SIGNING_EXT,
    bits: 512,
  },
  weakKeyInter: { subject: `/CN=512-bit CA${O}`, issuer: 'root', ext: CA_EXT, bits: 512 },
  weakKeyInterLeaf: {
    subject: `/CN=Signer Under 512-bit CA${O}`,
    issuer: 'weakKeyInter',
    ext: CODE_SIGNING_EXT,
  },
  rsaRoot: { subject: `/CN=RSA Root CA${O}`, ext: ROOT_EXT, rsa: true },
  md5Inter: { subject: `/CN=MD5-signed CA${O}`, issuer: 'rsaRoot', ext: CA_EXT, md: 'md5' },
  md5InterLeaf: {
    subject: `/CN=Signer Under MD5 CA${O}`,
    issuer: 'md5Inter',
    ext: CODE_SIGNING_EXT,
  },
  md5Root: { subject: `/CN=MD5 Self-signed Root${O}`, ext: ROOT_EXT, md: 'md5', rsa: true },
  md5RootLeaf: {
    subject: `/CN=Signer Under MD5 Root${O}`,
    issuer: 'md5Root',
    ext: CODE_SIGNING_EXT,
  },
  bigExponentInter: {
    subject: `/CN=Huge Exponent CA${O}`,
    issuer: 'root',
    ext: CA_EXT,
    exponent: '36893488147419103233', // 2^65 + 1
  },
  bigExponentLeaf: {
    subject: `/CN=Signer Under Huge Exponent CA${O}`,
    issuer: 'bigExponentInter',
    ext: CODE_SIGNING_EXT,
  },
  // Constraints Windows enforces and we do not evaluate.
  nameConstrainedInter: {
    subject: `/CN=Name Constrained CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT, 'nameConstraints = critical, permitted;DNS:example.com'],
  },
  nameConstrainedLeaf: {
    subject: `/CN=Signer Under Name Constrained CA${O}`,
    issuer: 'nameConstrainedInter',
    ext: CODE_SIGNING_EXT,
  },
  softNameConstrainedInter: {
    subject: `/CN=Non-critical Name Constraints CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT, 'nameConstraints = permitted;DNS:example.com'],
  },
  softNameConstrainedLeaf: {
    subject: `/CN=Signer Under Non-critical Name Constraints${O}`,
    issuer: 'softNameConstrainedInter',
    ext: CODE_SIGNING_EXT,
  },
  policyConstrainedInter: {
    subject: `/CN=Policy Constrained CA${O}`,
    issuer: 'root',
    ext: [...CA_EXT, 'policyConstraints = critical, requireExplicitPolicy:0'],
  },
  policyConstrainedLeaf: {
    subject: `/CN=Signer Under Policy Constrained CA${O}`,
    issuer: 'policyConstrainedInter',
    ext: CODE_SIGNING_EXT,
  },
  // A timestamp authority certificate without any EKU extension.
  noEkuTsa: { subject: `/CN=No EKU TSA${O}`, issuer: 'inter', ext: LEAF_BASE },
  // Ten decoy CAs with the Name and key identifier of crowdedInter but other keys: a hostile
  // pool of same-named issuers that all look like the best match.
  ...Object.fromEntries(
    Array.from({ length: 10 }, (_, i) => [
      `decoy${i}`,
      { subject: `/CN=Crowded CA${O}`, issuer: 'root', ext: CROWDED_EXT },
    ]),
  ),
  crowdedInter: { subject: `/CN=Crowded CA${O}`, issuer: 'root', ext: CROWDED_EXT },
  crowdedLeaf: {
    subject: `/CN=Signer Under Crowded CA${O}`,
    issuer: 'crowdedInter',
    ext: CODE_SIGNING_EXT,
  },
};

export interface TestPki {
  dir: string;
  /** Path of each certificate's private key (PEM, PKCS#8). */
  keyPath: Record<string, string>;
  cert: Record<string, Certificate>;
  /** Path of each certificate's PEM file. */
  pemPath: Record<string, string>;
  pem: Record<string, string>;
}

const CA_CONFIG = `[ca]
default_ca = test_ca
[test_ca]
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = test_policy
unique_subject = no
copy_extensions = none
email_in_dn = no
[test_policy]
commonName = supplied
organizationName = optional
`;

/** The named certificates plus everything they need (issuers, shared keys). All by default. */
function withDependencies(names: readonly string[]): string[] {
  const wanted = new Set<string>();
  const visit = (name: string): void => {
    const spec = SPECS[name];
    if (!spec) throw new Error(`no test certificate named ${name}`);
    if (wanted.has(name)) return;
    if (spec.keyOf) visit(spec.keyOf);
    if (spec.issuer) visit(spec.issuer);
    wanted.add(name);
  };
  names.forEach(visit);
  // Keep SPECS order, which lists issuers before the certificates they issue.
  return Object.keys(SPECS).filter((name) => wanted.has(name));
}

export function generatePki(names: readonly string[] = Object.keys(SPECS)): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'va-trust-pki-'));
  mkdirSync(join(dir, 'newcerts'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'index.txt.attr'), 'unique_subject = no\n');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  const openssl = (args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };

  const keyPath = (name: string): string => join(dir, `${SPECS[name]!.keyOf ?? name}.key`);
  const pki: TestPki = { dir, keyPath: {}, cert: {}, pemPath: {}, pem: {} };

  for (const name of withDependencies(names)) {
    const spec = SPECS[name]!;
    if (spec.exponent) {
      openssl([
        'genpkey',
        '-algorithm',
        'RSA',
        '-pkeyopt',
        `rsa_keygen_bits:${spec.bits ?? 1024}`,
        '-pkeyopt',
        `rsa_keygen_pubexp:${spec.exponent}`,
        '-out',
        keyPath(name),
      ]);
    } else if (!spec.keyOf) {
      const { privateKey } =
        spec.rsa || spec.bits
          ? generateKeyPairSync('rsa', { modulusLength: spec.bits ?? 2048 })
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(keyPath(name), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    }
    openssl(['req', '-new', '-key', keyPath(name), '-subj', spec.subject, '-out', `${name}.csr`]);
    const args = [
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-notext',
      '-preserveDN',
      '-in',
      `${name}.csr`,
    ];
    args.push('-out', `${name}.pem`);
    if (spec.md) args.push('-md', spec.md);
    args.push(
      '-startdate',
      spec.start ?? '20200101000000Z',
      '-enddate',
      spec.end ?? '20400101000000Z',
    );
    if (spec.issuer) {
      args.push('-cert', `${spec.issuer}.pem`, '-keyfile', keyPath(spec.issuer));
    } else {
      args.push('-selfsign', '-keyfile', keyPath(name));
    }
    if (spec.ext) {
      writeFileSync(join(dir, `${name}.ext`), `[ext]\n${spec.ext.join('\n')}\n`);
      args.push('-extfile', `${name}.ext`, '-extensions', 'ext');
    }
    openssl(args);
    const pemPath = join(dir, `${name}.pem`);
    const pem = readFileSync(pemPath, 'utf8');
    pki.pemPath[name] = pemPath;
    pki.keyPath[name] = keyPath(name);
    pki.pem[name] = pem;
    const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    pki.cert[name] = Certificate.fromDer(Buffer.from(body, 'base64'));
  }
  return pki;
}

export function removePki(pki: TestPki | undefined): void {
  if (pki) rmSync(pki.dir, { recursive: true, force: true });
}
