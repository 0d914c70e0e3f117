import { readFileSync } from 'node:fs';
import { RootProgram, type RootListInfo, type RootRecord } from './root-program.js';
import { WINDOWS_ROOT_LIST } from './windows-roots-list.js';

/**
 * The built-in `windows` trust store: Microsoft's Trusted Root Program as of the list named in
 * windows-roots-list.ts. The roots live in windows-roots.json and their certificates in
 * windows-roots-certificates.json beside this module (and beside the bundled dist/*.js, where
 * scripts/bundle.mjs copies them): the roots are read on first use, the certificates only when a
 * chain reaches a listed root; --version never touches either.
 */
const ROOTS_FILE = new URL('./windows-roots.json', import.meta.url);
const CERTIFICATES_FILE = new URL('./windows-roots-certificates.json', import.meta.url);

function readData<T>(file: URL, field: string): T {
  let data: { list?: RootListInfo } & Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as typeof data;
  } catch (error) {
    throw new Error(
      `cannot read the built-in Windows root list ${file.pathname}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (data.list?.sequenceNumber !== WINDOWS_ROOT_LIST.sequenceNumber || !data[field]) {
    throw new Error(
      `the built-in Windows root list ${file.pathname} is not the list ${WINDOWS_ROOT_LIST.sequenceNumber} this build names`,
    );
  }
  return data[field] as T;
}

const readRoots = (): RootRecord[] => readData<RootRecord[]>(ROOTS_FILE, 'roots');
const readCertificates = (): ReadonlyMap<string, string> =>
  new Map(Object.entries(readData<Record<string, string>>(CERTIFICATES_FILE, 'certificates')));

let store: RootProgram | undefined;

/** One shared instance. */
export function windowsRootProgram(): RootProgram {
  store ??= new RootProgram(WINDOWS_ROOT_LIST, readRoots, readCertificates);
  return store;
}

export { WINDOWS_ROOT_LIST };
