import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import{a as R,b as A,c as k,d as N}from"./chunk-JHRQW6BI.js";import{b as O,c as x}from"./chunk-UZCZBJAO.js";import{d as L}from"./chunk-JZRK5XJQ.js";import{a as P}from"./chunk-E6IT44X7.js";import{a as h}from"./chunk-SRAQKQI5.js";import{q as p}from"./chunk-RG4ACLOA.js";var d=`verify-authenticode: verify Authenticode signatures of MSI, MSP and CAB installers

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
`,l=`Usage: verify-authenticode verify [options] <path|glob>...

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
`,T=`Usage: verify-authenticode inspect <file> [--json] [--at <TIME>] [--revocation <MODE>] [--crl <FILE>...] [--payload]

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
`,D=`Usage: verify-authenticode fill-patch-certificate <msi|glob>... --cert <FILE> [--cert <FILE>...]
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
`;var $=500,_=200,m=class{constructor(t,e){this.stream=t;this.options=e;this.now=e.now??Date.now,this.started=this.now(),this.delayMs=e.delayMs??$,this.enabled=t.isTTY===!0&&e.totalFiles>0,this.enabled&&(this.timer=setInterval(()=>this.draw(!1),Math.min(_,Math.max(this.delayMs,10))),this.timer.unref())}stream;options;done=0;bytes=0;inner=0;started;lastDraw=0;drawn=!1;enabled;timer;now;delayMs;addBytes=t=>{this.bytes+=t};innerFileUnpacked=()=>{this.inner++};fileDone(){this.done++,this.draw(this.done===this.options.totalFiles)}finish(){this.timer&&clearInterval(this.timer),this.drawn&&this.stream.write("\r\x1B[2K"),this.drawn=!1}text(){let t=Math.max((this.now()-this.started)/1e3,.001),e=`${p(this.bytes/t)}/s`,i=this.options.totalBytes,n=[this.options.label];if(this.options.totalFiles>1&&n.push(`${this.done}/${this.options.totalFiles} files`),i&&i>0){let a=Math.min(100,Math.floor(this.bytes/i*100)),s=Math.min(this.bytes,i);n.push(`${p(s)} of ${p(i)} hashed (${a}%)`)}else n.push(`${p(this.bytes)} hashed`);return n.push(e),this.inner>0&&n.push(`${this.inner} ${this.inner===1?"file":"files"} unpacked inside`),n.join("  ")}visible(){return this.enabled?this.options.totalFiles>=2&&this.done>0?!0:this.now()-this.started>=this.delayMs:!1}draw(t){if(!this.visible())return;let e=this.now();if(!t&&this.drawn&&e-this.lastDraw<_/2)return;this.lastDraw=e;let i=this.text(),n=this.stream.columns;n&&n>10&&i.length>=n&&(i=`${i.slice(0,n-2)}…`),this.stream.write(`\r\x1B[2K${i}`),this.drawn=!0}};function U(r){let t=Number(r.VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS);return r.VERIFY_AUTHENTICODE_PROGRESS_DELAY_MS!==void 0&&Number.isFinite(t)&&t>=0?t:$}import{parseArgs as W}from"node:util";var o=class extends Error{constructor(e,i){super(e);this.usage=i;this.name="UsageError"}usage},J={signer:{type:"string",multiple:!0},"pin-from-msi":{type:"string"},"trusted-roots":{type:"string",multiple:!0},"tsa-roots":{type:"string",multiple:!0},intermediates:{type:"string"},baseline:{type:"string",multiple:!0},"patch-certificate":{type:"string"},"require-timestamp":{type:"boolean"},signatures:{type:"string"},"min-digest":{type:"string"},"weak-digest":{type:"string"},"expiry-warning-days":{type:"string"},at:{type:"string"},"min-artifacts":{type:"string"},json:{type:"string"},sarif:{type:"string"},quiet:{type:"boolean"},"no-color":{type:"boolean"},concurrency:{type:"string"},"time-budget":{type:"string"},revocation:{type:"string"},crl:{type:"string",multiple:!0},"revocation-timeout":{type:"string"},payload:{type:"string"},"payload-signer":{type:"string",multiple:!0},"payload-allow-unsigned":{type:"string",multiple:!0},help:{type:"boolean",short:"h"}};function H(r,t,e){try{return W({args:r,options:t,allowPositionals:!0,strict:!0})}catch(i){throw new o(V(i.message),e)}}function V(r){return(r.split(/(?<=\.) /)[0]??r).replace(/\.$/,"").replace(/^[A-Z](?=[a-z])/,e=>e.toLowerCase())}function q(r,t){let e=r.split(`
`),i=e.findIndex(s=>s.startsWith("Usage:")),n=[];for(let s=i;i>=0&&s<e.length&&e[s].trim()!=="";s++)n.push(e[s]);let a=t?`verify-authenticode ${t} --help`:"verify-authenticode --help";return`${n.map(s=>`${s}
`).join("")}Run "${a}" for all options.
`}function X(r,t){return t||r.env.NO_COLOR!==void 0&&r.env.NO_COLOR!==""?!1:r.env.FORCE_COLOR!==void 0&&r.env.FORCE_COLOR!=="0"?!0:r.stdout.isTTY===!0}function j(r,t,e){if(t===void 0)return e;let i=Number(t);if(!Number.isInteger(i)||i<0)throw new o(`${r} must be a whole number (got "${t}")`,l);return i}async function z(r,t){let{values:e,positionals:i}=H(r,J,l);if(e.help)return t.stdout.write(l),0;if(i.length===0)throw new o("no artifacts given",l);let n=j("--min-artifacts",e["min-artifacts"],1),a=e.concurrency===void 0?void 0:j("--concurrency",e.concurrency,1)||1;if(e.json==="-"&&e.sarif==="-")throw new o("--json - and --sarif - cannot both write to standard output",l);let[{configure:s},{verifyArtifacts:G}]=await Promise.all([import("./chunk-G66GBXYO.js"),import("./chunk-54O7S3UL.js")]),y=await s({anySignerSeverity:"notice",signers:e.signer,pinFromMsi:e["pin-from-msi"],trustedRoots:e["trusted-roots"],tsaRoots:e["tsa-roots"],intermediates:e.intermediates,baselines:e.baseline,patchCertificate:e["patch-certificate"],requireTimestamp:e["require-timestamp"],signatures:e.signatures,minDigest:e["min-digest"],weakDigest:e["weak-digest"],expiryWarningDays:e["expiry-warning-days"],at:e.at,timeBudgetSeconds:e["time-budget"],revocation:e.revocation,crls:e.crl,revocationTimeoutSeconds:e["revocation-timeout"],payload:e.payload,payloadSigners:e["payload-signer"],payloadAllowUnsigned:e["payload-allow-unsigned"]}),Y=y.policy;y.signerMode==="none"&&t.stderr.write(`verify-authenticode: warning: no signer is pinned, so any signer whose chain verifies passes; pin it with --signer, or write --signer any to accept any signer on purpose
`);let u=await O(i,{cwd:t.cwd}),w=[...y.findings,...u.findings],I=x(u,n);I&&w.push(I);let g=new m(t.stderr,{label:"verifying",totalFiles:u.inputs.length,delayMs:U(t.env)}),f=await G(u.inputs,Y,{concurrency:a,runFindings:w,onBytes:g.addBytes,onInnerFile:g.innerFileUnpacked,onArtifactVerified:()=>g.fileDone()});g.finish(),f.patterns=u.counts;let M=!1,C=async(c,F)=>{if(c!==void 0){if(c==="-"){t.stdout.write(F());return}try{await A(c,F(),{base:t.cwd})}catch(v){if(!(v instanceof R))throw v;M=!0,t.stderr.write(`verify-authenticode: ${L(v.message)}
`)}}};if(await C(e.json,()=>k(f)),e.sarif!==void 0){let{renderSarif:c}=await import("./chunk-TEJV5CY3.js");await C(e.sarif,()=>c(f,{baseDirectory:t.cwd}))}e.json!=="-"&&e.sarif!=="-"&&t.stdout.write(N(f,{color:X(t,e["no-color"]),quiet:e.quiet??!1}));let B=w.some(c=>c.severity==="error");return f.summary.failed>0||B?b.failed:M?b.reportNotWritten:b.passed}var b={passed:0,failed:1,usage:2,reportNotWritten:3},S={verify:l,inspect:T,"fill-patch-certificate":D};function E(r){return r!==void 0&&Object.hasOwn(S,r)?S[r]:void 0}async function le(r,t){let[e,...i]=r;try{switch(e){case void 0:return t.stderr.write(d),2;case"-h":case"--help":return t.stdout.write(d),0;case"help":{let n=i[0]===void 0?d:E(i[0]);if(!n)throw new o(`unknown command "${i[0]}"`,d);return t.stdout.write(n),0}case"-v":case"--version":return t.stdout.write(`${h.version}
windows trust store: ${h.windowsRoots.origin}, list of ${h.windowsRoots.thisUpdate} (sequence ${h.windowsRoots.sequenceNumber})
`),0;case"verify":return await z(i,t);case"inspect":return await(await import("./chunk-YB3CYEAP.js")).runInspect(i,t);case"fill-patch-certificate":return await(await import("./chunk-WY6ERRDK.js")).runFill(i,t);default:throw new o(`unknown command "${e}"`,d)}}catch(n){let a=E(e)?e:void 0;if(n instanceof o){let s=n.usage===d?`Commands: ${Object.keys(S).join(", ")}
Run "verify-authenticode --help" for more.
`:q(n.usage,a);return t.stderr.write(`verify-authenticode: ${n.message}
${s}`),2}if(n instanceof P){let s=q(E(a)??d,a);return t.stderr.write(`verify-authenticode: ${n.message}
${s}`),2}throw n}}export{T as a,D as b,m as c,U as d,o as e,H as f,X as g,le as h};
