/** Help texts. Kept beside the option table they describe so they cannot drift apart. */

export const MAIN_USAGE = `verify-authenticode: verify Authenticode signatures of MSI, MSP and CAB installers

Usage:
  verify-authenticode verify [options] <path|glob>...
  verify-authenticode inspect <file> [--json] [--at <TIME>] [--payload]
  verify-authenticode fill-patch-certificate <msi>... --cert <FILE> [--cert <FILE>...] [--id <Name>]
                                            [--out <FILE>] [--remove-signature]
  verify-authenticode help [<command>] | --help | --version

Commands:
  verify                  verify artifacts against a pinned signer and trusted roots
  inspect                 show everything about one file's signatures, without a policy
  fill-patch-certificate  write the signer certificate into an MSI's MsiPatchCertificate table

Run "verify-authenticode <command> --help" for a command's options.
`;

export const VERIFY_USAGE = `Usage: verify-authenticode verify [options] <path|glob>...

Verifies each artifact's Authenticode signature the way Windows does, offline. File types are
detected from content; a directory is searched for .msi, .msp, .mst, .cab, .exe, .dll, .sys, .ocx
and .efi files; quoted globs are expanded by the tool. Reports show paths as given. While a long run works, standard error
shows its progress (files done, bytes hashed, rate) when it is a terminal, and nothing otherwise.

Options:
  --signer <FILE|sha256:HEX|sha1:HEX|any>
                                       pin the primary signer certificate (repeatable; a bundle may
                                       hold several accepted signers; CA certificates in it are
                                       skipped). "any" accepts any signer whose chain verifies;
                                       without a pin the run warns
  --pin-from-msi <MSI>                 accept the signers listed in this MSI's MsiPatchCertificate
  --trusted-roots windows|none|<FILE>  trust store for signer chains (repeatable, combined):
                                       windows = Microsoft's Trusted Root Program (default),
                                       FILE = PEM/DER roots, none = not checked (pin decides)
  --tsa-roots windows|none|<FILE>      the same for timestamp chains (default: --trusted-roots)
  --intermediates <FILE>               extra intermediate certificates for chain building
  --baseline <MSI>                     target package for .msp checks (repeatable)
  --patch-certificate require|warn|off MSI must list the pinned signer in MsiPatchCertificate
                                       (default: warn)
  --require-timestamp                  a signature without a valid timestamp fails
  --signatures primary|all             all: nested signatures must verify and be pinned too
                                       (default: primary, as Windows decides)
  --min-digest sha1|sha256|sha384|sha512 (md5 is never accepted)
                                       weaker file digests are weak-digest (default: sha256)
  --weak-digest warning|error          severity of weak-digest (default: warning)
  --expiry-warning-days <N>            warn when an untimestamped signer expires within N days
                                       (default: 30)
  --at <TIME>                          validate at this ISO 8601 time instead of now
  --min-artifacts <N>                  fail when fewer files are found (default: 1)
  --json <FILE|->                      write the JSON report ("-" for standard output)
  --sarif <FILE|->                     write a SARIF 2.1.0 report ("-" for standard output)
  --quiet                              print only failures and the summary line
  --no-color                           no colours (also when NO_COLOR is set or not a terminal)
  --time-budget <SECONDS>              a file that takes longer is reported as malformed-package
                                       (default: 120)
  --revocation off|online|require      off: no network, revocation not checked unless --crl is
                                       given; online: fetch CRLs (CDP) and OCSP (AIA) over
                                       HTTP(S), unknown status is a warning; require: unknown is
                                       an error (default: off; see docs/revocation.md)
  --crl <FILE>                         CRL file (PEM or DER, repeatable), checked offline for the
                                       certificates it covers
  --revocation-timeout <SECONDS>       longest one CRL or OCSP request may take (default: 5)
  --payload off|warn|require           the executables inside an MSI, MSM or CAB: an unsigned one,
                                       or one signed by neither the pin nor --payload-signer, is
                                       a warning (warn, the default) or an error (require); off
                                       does not look inside
  --payload-signer <FILE|sha256:HEX|sha1:HEX>
                                       also accepted for inner executables (repeatable; CA
                                       certificates in a file are skipped)
  --payload-allow-unsigned <GLOB>      inner paths allowed to be unsigned, e.g. '**/helper.dll'
                                       (repeatable; each glob's count is reported)
  --concurrency <N>                    files verified at once (default: twice the CPUs)
  -h, --help                           show this help

A path without glob characters must exist (missing-path, an error); a glob or directory that
matches nothing is a warning (no-match). Missing report directories are created; a report is
never written through a symbolic link.

Exit status: 0 every artifact passed, 1 at least one failed, 2 usage or configuration error,
3 every artifact passed but a report could not be written.
`;

export const INSPECT_USAGE = `Usage: verify-authenticode inspect <file> [--json] [--at <TIME>] [--revocation <MODE>] [--crl <FILE>...] [--payload]

Shows everything about one file's signatures without a policy: kind, digest algorithms, stored
and computed digests, each signature (nested included) with its signer, the chain found in the
signature, validity, key usage, signing time, program name and timestamps, whether each check
passed (file type, digest, signer signature, timestamp, chain), the MsiDigitalSignatureEx
state, the summary information and signing tables (MsiPatchCertificate, MsiDigitalCertificate,
MsiDigitalSignature, Media) of an MSI or MSP, and the set links, folders and reserve of a CAB.
No roots are trusted and no signer is pinned: use "verify" for a verdict.

Options:
  --json          print the inspection as JSON (the shape is described in docs/cli.md)
  --at <TIME>     check chains at this ISO 8601 time when no timestamp applies (default: now)
  --revocation off|online|require
                  show each chain certificate's revocation status and source (as verify;
                  default: off, no network)
  --crl <FILE>    CRL file (PEM or DER, repeatable), read offline
  --revocation-timeout <SECONDS>
                  longest one CRL or OCSP request may take (default: 5)
  --payload       also list the payload: every file of the package's cabinets (by install
                  path), Binary table streams and inner packages, with size, storage,
                  compression (stored, MSZIP, LZX), and each executable's verdict and
                  signer, as verify --payload warn judges them (any signer accepted)
  --no-color      no colours (also when NO_COLOR is set or not a terminal)
  -h, --help      show this help

Exit status: 0 the file was read as a package (signed or not, valid or not), 1 it is not a
package or is damaged or unreadable, 2 usage error.
`;

export const FILL_USAGE = `Usage: verify-authenticode fill-patch-certificate <msi|glob>... --cert <FILE> [--cert <FILE>...]
                                                 [--id <Name>] [--out <FILE>] [--remove-signature]

Adds (or completes) the MsiDigitalCertificate and MsiPatchCertificate tables of each MSI with
the given certificates, so that patches signed by them can be applied without elevation. Run it
before signing the MSI. A certificate already listed is left alone: filling twice changes
nothing. Every other stream, storage and the summary information stay as they were; the MSI is
replaced atomically (or written to --out). Quoted globs and directories are expanded as by
"verify"; a literal path that does not exist is an error, a glob that matches nothing a warning.

Options:
  --cert <FILE>         signer certificate (PEM, DER or .p7b; every certificate in the file is
                        listed except CA certificates, which are skipped); repeat for rotation
                        (old and new)
  --id <Name>           row key in both tables (with several certificates: <Name>_<sha256
                        prefix>); default Cert_<sha256 prefix> and PatchCert_<sha256 prefix>
  --out <FILE>          write here instead of replacing the input (one input only)
  --remove-signature    fill a signed MSI by removing its signature (sign it again afterwards);
                        without it a signed MSI is refused
  -h, --help            show this help

Exit status: 0 every MSI lists the certificates, 1 a file could not be filled, 2 usage or
configuration error.
`;
