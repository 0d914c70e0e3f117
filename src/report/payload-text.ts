import type { PayloadWalk } from '../payload/walk.js';
import { sanitizeForTerminal } from './escape.js';

const KIND_LABEL = { pe: 'executable', msi: 'package', cab: 'cabinet', other: '' } as const;

/** The payload section of `inspect --payload`'s text output. */
export function renderPayloadText(walk: PayloadWalk): string {
  const lines = ['', `Payload: ${walk.files.length} file(s)`];
  for (const file of walk.files) {
    const path = file.path.map((p) => sanitizeForTerminal(p)).join(' ▸ ');
    const where = `${sanitizeForTerminal(file.container)}, ${file.compression}`;
    const kind = KIND_LABEL[file.kind];
    lines.push(`  ${path}  ${file.size} bytes  (${where})${kind ? `  ${kind}` : ''}`);
  }
  for (const finding of walk.findings) {
    lines.push(`  ${finding.severity} ${finding.code}: ${sanitizeForTerminal(finding.message)}`);
  }
  return `${lines.join('\n')}\n`;
}
