/**
 * Vitest global setup: the suite cross-checks against Debian tools (osslsigncode, msitools, gcab,
 * cabextract, …). In `required` mode (the default on Linux) a missing or wrong tool stops the run
 * here with one message that names each tool, its package and the install line, instead of
 * failing later with a spawn status. In `optional` mode (the default elsewhere, or
 * VERIFY_AUTHENTICODE_TEST_TOOLS=optional) the same message is a warning and the suites that
 * need a tool skip, their titles saying why.
 */
import {
  REQUIRED_TOOLS,
  TOOL_MODE_VARIABLE,
  installHint,
  toolMode,
  unusableTools,
} from './tools.js';

export default function checkRequiredTools(): void {
  const mode = toolMode();
  const unusable = unusableTools(REQUIRED_TOOLS);
  if (unusable.length === 0) return;
  const message = `The test suite needs tools that are missing or not the expected ones:\n${unusable
    .map(
      ({ tool, problem }) =>
        `  - ${tool.command} (Debian package ${tool.debianPackage}): ${problem}`,
    )
    .join('\n')}\n${installHint()}`;
  if (mode === 'required') {
    throw new Error(
      `${message}\n(${TOOL_MODE_VARIABLE}=optional skips the suites that need them instead.)`,
    );
  }
  console.warn(
    `${message}\n${TOOL_MODE_VARIABLE}=optional: the suites that need them are skipped.`,
  );
}
