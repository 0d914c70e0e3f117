/** Help texts. Kept beside the option table they describe so they cannot drift apart. */

export const MAIN_USAGE = `verify-authenticode: verify Authenticode signatures of MSI, MSP and CAB installers

Usage:
  verify-authenticode verify [options] <path|glob>...
  verify-authenticode inspect <file> [--json]
  verify-authenticode fill-patch-certificate <msi>... --cert <FILE> [--cert <FILE>...] [--id <Name>] [--out <FILE>]
  verify-authenticode --help | --version

Commands:
  verify                  verify artifacts against a pinned signer and trusted roots
  inspect                 show everything about one file's signatures, without a policy
  fill-patch-certificate  write the signer certificate into an MSI's MsiPatchCertificate table

Run "verify-authenticode <command> --help" for a command's options.
`;

export const VERIFY_USAGE = `Usage: verify-authenticode verify [options] <path|glob>...

Verifies each artifact's Authenticode signature the way Windows does, offline. File types are
detected from content; a directory is searched for .msi, .msp, .mst and .cab files; quoted globs
are expanded by the tool.

Options:
  --signer <FILE|sha256:HEX|sha1:HEX>  pin the primary signer certificate (repeatable; a bundle may
                                       hold several accepted signers)
  --pin-from-msi <MSI>                 accept the signers listed in this MSI's MsiPatchCertificate
  --trusted-roots <FILE>               PEM/DER bundle; signer chains must end at one of these
  --tsa-roots <FILE>                   bundle for timestamp chains (default: --trusted-roots)
  --intermediates <FILE>               extra intermediate certificates for chain building
  --baseline <MSI>                     target package for .msp checks (repeatable)
  --patch-certificate require|warn|off MSI must list the pinned signer in MsiPatchCertificate
                                       (default: warn)
  --require-timestamp                  a signature without a valid timestamp fails
  --signatures primary|all             all: nested signatures must verify and be pinned too
                                       (default: primary, as Windows decides)
  --min-digest sha1|sha256|sha384|sha512
                                       weaker file digests are weak-digest (default: sha256)
  --weak-digest warning|error          severity of weak-digest (default: warning)
  --expiry-warning-days <N>            warn when an untimestamped signer expires within N days
                                       (default: 30)
  --at <TIME>                          validate at this ISO 8601 time instead of now
  --min-artifacts <N>                  fail when fewer files are found (default: 1)
  --json <FILE|->                      write the JSON report ("-" for standard output)
  --sarif <FILE>                       write a SARIF 2.1.0 report
  --quiet                              print only failures and the summary line
  --no-color                           no colours (also when NO_COLOR is set or not a terminal)
  --concurrency <N>                    files verified at once (default: number of CPUs)
  -h, --help                           show this help

Exit status: 0 every artifact passed, 1 at least one failed, 2 usage or configuration error.
`;

export const INSPECT_USAGE = `Usage: verify-authenticode inspect <file> [--json]

Shows everything about one file's signatures without a policy: kind, digest algorithm, stored
and computed digests, each signature (nested included) with signer, chain, validity, usage and
timestamp, the MsiDigitalSignatureEx state, the signing tables of an MSI and the cabinet set
links of a CAB.

Options:
  --json        print the inspection as JSON
  --no-color    no colours
  -h, --help    show this help
`;

export const FILL_USAGE = `Usage: verify-authenticode fill-patch-certificate <msi>... --cert <FILE> [--cert <FILE>...]
                                                 [--id <Name>] [--out <FILE>] [--remove-signature]

Adds (or completes) the MsiDigitalCertificate and MsiPatchCertificate tables of each MSI with
the given certificates, so that patches signed by them can be applied without elevation.

Options:
  --cert <FILE>         certificate (PEM or DER) to list; repeat for rotation (old and new)
  --id <Name>           row key prefix (default: derived from the certificate)
  --out <FILE>          write here instead of replacing the input (one input only)
  --remove-signature    allow filling a signed MSI by removing its signature (re-sign after)
  -h, --help            show this help
`;
