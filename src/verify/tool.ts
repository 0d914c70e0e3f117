/** The tool's identity in reports. Replaced at bundle time with the package version. */
declare const __TOOL_VERSION__: string | undefined;

export const TOOL = {
  name: 'verify-authenticode',
  version: typeof __TOOL_VERSION__ === 'string' ? __TOOL_VERSION__ : '0.0.0-dev',
} as const;
