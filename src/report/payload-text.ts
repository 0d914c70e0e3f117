import type { InspectedInnerFile, PayloadInspection } from '../inspect/payload.js';
import { sanitizeForTerminal } from './escape.js';
import { commonName } from './format.js';

const KIND_LABEL = { pe: 'executable', msi: 'package', cab: 'cabinet', other: '' } as const;

/** What the PE engine made of an inner executable: `signed  Contoso`, `unsigned`, `bad-digest  Contoso`. */
function verdictText(file: InspectedInnerFile): string {
  if (file.status === undefined) return '';
  const signer = commonName(file.signer);
  const who = signer ? `  ${sanitizeForTerminal(signer)}` : '';
  if (file.verdict === 'pass') return `  signed${who}`;
  return `  ${sanitizeForTerminal(file.status)}${who}`;
}

/** The payload section of `inspect --payload`'s text output. */
export function renderPayloadText(payload: PayloadInspection): string {
  const lines = [
    '',
    `Payload: ${payload.files.length} file(s); ${sanitizeForTerminal(payload.summary)}`,
  ];
  for (const file of payload.files) {
    const path = sanitizeForTerminal(file.path);
    const where = `${sanitizeForTerminal(file.container)}, ${file.compression}`;
    const kind = KIND_LABEL[file.kind];
    lines.push(
      `  ${path}  ${file.size} bytes  (${where})${kind ? `  ${kind}` : ''}${verdictText(file)}`,
    );
  }
  for (const finding of payload.findings) {
    lines.push(`  ${finding.severity} ${finding.code}: ${sanitizeForTerminal(finding.message)}`);
  }
  return `${lines.join('\n')}\n`;
}
