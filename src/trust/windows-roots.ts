import { RootProgram } from './root-program.js';
import { WINDOWS_ROOT_LIST, windowsRootRecords } from './windows-roots-data.js';

/**
 * The built-in `windows` trust store: Microsoft's Trusted Root Program as of the list in
 * windows-roots-data.ts. One shared instance; its roots are decoded on first use.
 */
let store: RootProgram | undefined;

export function windowsRootProgram(): RootProgram {
  store ??= new RootProgram(WINDOWS_ROOT_LIST, windowsRootRecords);
  return store;
}

export { WINDOWS_ROOT_LIST };
