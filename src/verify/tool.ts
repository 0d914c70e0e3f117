import { readFileSync } from 'node:fs';
import { WINDOWS_ROOT_LIST } from '../trust/windows-roots-list.js';

/** The tool's identity in reports. The bundler replaces __TOOL_VERSION__ with the package version. */
declare const __TOOL_VERSION__: string | undefined;

function sourceVersion(): string {
  // Running from sources (tsx, scripts): read it from package.json beside src/.
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version?: string };
    return pkg.version ?? '0.0.0-dev';
  } catch {
    return '0.0.0-dev';
  }
}

export const TOOL = {
  name: 'verify-authenticode',
  version: typeof __TOOL_VERSION__ === 'string' ? __TOOL_VERSION__ : sourceVersion(),
  /** The built-in `windows` trust store: which Microsoft root list it was made from. */
  windowsRoots: {
    thisUpdate: WINDOWS_ROOT_LIST.thisUpdate,
    sequenceNumber: WINDOWS_ROOT_LIST.sequenceNumber,
    origin: WINDOWS_ROOT_LIST.origin,
  },
} as const;
