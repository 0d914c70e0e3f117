import { readFileSync } from 'node:fs';
import { RootProgram, type RootListInfo, type RootRecord } from './root-program.js';
import { WINDOWS_ROOT_LIST } from './windows-roots-list.js';

/**
 * The built-in `windows` trust store: Microsoft's Trusted Root Program as of the list named in
 * windows-roots-list.ts. The roots live in windows-roots.json beside this module (and beside the
 * bundled dist/*.js, where scripts/bundle.mjs copies it): read and parsed on first use only, so
 * a run that builds no chain, and --version, never touch them.
 */
const DATA_FILE = new URL('./windows-roots.json', import.meta.url);

function readRoots(): RootRecord[] {
  let data: { list?: RootListInfo; roots?: RootRecord[] };
  try {
    data = JSON.parse(readFileSync(DATA_FILE, 'utf8')) as typeof data;
  } catch (error) {
    throw new Error(
      `cannot read the built-in Windows root list ${DATA_FILE.pathname}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (data.list?.sequenceNumber !== WINDOWS_ROOT_LIST.sequenceNumber || !data.roots) {
    throw new Error(
      `the built-in Windows root list ${DATA_FILE.pathname} is not the list ${WINDOWS_ROOT_LIST.sequenceNumber} this build names`,
    );
  }
  return data.roots;
}

let store: RootProgram | undefined;

/** One shared instance. */
export function windowsRootProgram(): RootProgram {
  store ??= new RootProgram(WINDOWS_ROOT_LIST, readRoots);
  return store;
}

export { WINDOWS_ROOT_LIST };
