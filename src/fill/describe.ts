import { isAbsolute, relative } from 'node:path';
import type { Certificate } from '../x509/certificate.js';
import { sanitizeForTerminal } from '../report/escape.js';
import type { FillResult } from './fill-patch-certificate.js';

/** A path as the user will recognise it: relative to the working directory when inside it. */
function display(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function describeCertificate(certificate: Certificate): string {
  return `${certificate.commonName} (sha256 ${certificate.shortThumbprint}…)`;
}

/**
 * One line per fact, prefixed with the file, for logs. File names and certificate names are
 * attacker-controlled in a pull request's build: every line is sanitised (no line breaks, no
 * control characters, no log commands), as the verify front ends do.
 */
export function describeFill(result: FillResult, cwd: string): string[] {
  return describeLines(result, cwd).map(sanitizeForTerminal);
}

function describeLines(result: FillResult, cwd: string): string[] {
  const name = display(result.input, cwd);
  const lines: string[] = [];
  for (const stream of result.removedStreams) {
    lines.push(`${name}: removed the signature stream ${stream.replace('\u0005', '')}`);
  }
  if (result.createdTables.length > 0) {
    lines.push(`${name}: created table(s) ${result.createdTables.join(', ')}`);
  }
  for (const added of result.added) {
    const where = added.addedDigitalCertificateRow
      ? `MsiDigitalCertificate ${added.digitalCertificate} and MsiPatchCertificate ${added.patchCertificate}`
      : `MsiPatchCertificate ${added.patchCertificate} (existing MsiDigitalCertificate ${added.digitalCertificate})`;
    lines.push(`${name}: added ${describeCertificate(added.certificate)} as ${where}`);
  }
  for (const listed of result.alreadyListed) {
    lines.push(
      `${name}: already lists ${describeCertificate(listed.certificate)} ` +
        `(MsiPatchCertificate ${listed.patchCertificate} → ${listed.digitalCertificate})`,
    );
  }
  if (result.validationRowsAdded > 0) {
    lines.push(`${name}: added ${result.validationRowsAdded} _Validation row(s)`);
  }
  if (result.output !== result.input) {
    lines.push(`${name}: wrote ${display(result.output, cwd)}`);
  } else if (!result.changed) {
    lines.push(`${name}: nothing to do; file not changed`);
  }
  if (result.removedStreams.length > 0) {
    lines.push(`${name}: the package is now unsigned; sign it again`);
  }
  return lines;
}
