/**
 * Suites that spawn Debian tools: under VERIFY_AUTHENTICODE_TEST_TOOLS=optional (the default off
 * Linux) a suite whose tools are missing is skipped, its title saying which tool and package;
 * otherwise it runs (and a missing tool fails it loudly). See test/support/tools.ts.
 */
import { describe } from 'vitest';
import { skipWithout, titled } from './tools.js';

export { skipWithout, titled };

type SuiteBody = () => void;

/** `describe`, or a `describe.skip` whose title states why, for suites that need `commands`. */
export function describeNeeding(...commands: string[]): (title: string, body: SuiteBody) => void {
  const reason = skipWithout(...commands);
  return (title, body) => {
    if (reason === undefined) describe(title, body);
    else describe.skip(titled(title, reason), body);
  };
}
