/**
 * Issue 22: the cross-platform workflow cannot run here (no Windows or macOS runner), so its
 * action steps are run locally instead: each `uses: ./` step of .github/workflows/cross-platform.yml
 * (and of verify-fixtures.yml) runs the bundled action (dist/index.js) with its `with:` inputs as
 * INPUT_* variables, and the `test "${{ steps.ID.outputs.NAME }}" = VALUE` checks of the job's
 * bash steps are applied to the outputs. A step or check edited in a workflow is the one tested
 * here; a step whose `if:` names another OS is listed as skipped, with that reason.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAction, type ActionRun } from '../support/action-runner.js';
import { REPO } from '../support/manifest.js';
import { debianPackages } from '../support/tools.js';
import { parseWorkflow, readWorkflow, type WorkflowStep } from '../support/workflow.js';

const WORKFLOWS = join(REPO, '.github', 'workflows');
const crossPlatform = readWorkflow(join(WORKFLOWS, 'cross-platform.yml')).jobs.test!;

/** `runner.os` of this machine, as the workflow's `if:` conditions name it. */
const RUNNER_OS =
  process.platform === 'win32' ? 'Windows' : process.platform === 'darwin' ? 'macOS' : 'Linux';

/** Why a step does not run on this OS (its `if:`), or undefined when it runs. */
function notHere(step: WorkflowStep): string | undefined {
  if (step.if === undefined) return undefined;
  const os = /^runner\.os == '(\w+)'$/.exec(step.if);
  if (!os) throw new Error(`unsupported condition in the workflow: ${step.if}`);
  return os[1] === RUNNER_OS ? undefined : `runs on ${os[1]} runners only (if: ${step.if})`;
}

interface OutputCheck {
  step: string;
  output: string;
  operator: '=' | '-ge';
  value: string;
}

/** The `test "${{ steps.ID.outputs.NAME }}" = VALUE` lines of the workflow's bash steps. */
function outputChecks(steps: WorkflowStep[]): OutputCheck[] {
  const checks: OutputCheck[] = [];
  for (const step of steps) {
    for (const line of (step.run ?? '').split('\n')) {
      const check = /^test "\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}" (=|-ge) (\S+)$/.exec(
        line.trim(),
      );
      if (check) {
        const [, id, output, operator, value] = check;
        checks.push({
          step: id!,
          output: output!,
          operator: operator as '=' | '-ge',
          value: value!,
        });
      } else if (/steps\./.test(line)) {
        throw new Error(`a check the test cannot apply: ${line.trim()}`);
      }
    }
  }
  return checks;
}

/** Every job that runs the action from this repository, by workflow file. */
const ACTION_JOBS = [
  { file: 'cross-platform.yml', job: 'test', steps: crossPlatform.steps },
  ...Object.entries(readWorkflow(join(WORKFLOWS, 'verify-fixtures.yml')).jobs).map(
    ([job, { steps }]) => ({ file: 'verify-fixtures.yml', job, steps }),
  ),
];

/** The workspace: a copy of the fixtures, so reports the steps write stay out of the repository. */
const workspace = mkdtempSync(join(tmpdir(), 'va-workflow-'));
cpSync(join(REPO, 'fixtures'), join(workspace, 'fixtures'), { recursive: true });
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe.each(ACTION_JOBS)('the action steps of $file, job $job, run locally', ({ steps }) => {
  const actionSteps = steps.filter((step) => step.uses === './');
  const checks = outputChecks(steps);

  it('are there, each with an id and checks on its outputs', () => {
    expect(actionSteps.length).toBeGreaterThanOrEqual(1);
    for (const step of actionSteps) {
      expect(step.id, step.name).toBeDefined();
      expect(
        checks.some((check) => check.step === step.id),
        `no check reads steps.${step.id}.outputs`,
      ).toBe(true);
    }
  });

  it('use only inputs action.yml declares', () => {
    const action = parseWorkflow(readFileSync(join(REPO, 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    for (const step of actionSteps) {
      for (const input of Object.keys(step.with ?? {})) {
        expect(Object.keys(action.inputs), `${step.id}: ${input}`).toContain(input);
      }
    }
  });

  for (const step of actionSteps) {
    const skip = notHere(step);
    const title = `${step.name} (${step.id})${skip ? ` [skipped: ${skip}]` : ''}`;
    it.skipIf(skip)(title, () => {
      const result: ActionRun = runAction(step.with ?? {}, { workspace });
      for (const check of checks.filter((c) => c.step === step.id)) {
        const actual = result.outputs[check.output];
        const what = `steps.${check.step}.outputs.${check.output}`;
        if (check.operator === '=') expect(actual, what).toBe(check.value);
        else expect(Number(actual), what).toBeGreaterThanOrEqual(Number(check.value));
      }
      // Every step must succeed: the failing sets run with fail-on: never.
      expect(result.status, result.stderr).toBe(0);
    });
  }
});

describe('the legs of the cross-platform workflow', () => {
  const legs = crossPlatform.strategy?.matrix?.include ?? [];

  it('run Linux in debian:trixie, whose osslsigncode is 2.9 or later', () => {
    expect(legs.find((leg) => leg.os === 'ubuntu-latest')).toEqual({
      os: 'ubuntu-latest',
      container: 'debian:trixie',
    });
    expect(crossPlatform.container).toBe('${{ matrix.container }}');
  });

  it('set VERIFY_AUTHENTICODE_TEST_TOOLS=optional on Windows and macOS only', () => {
    expect(crossPlatform.env).toEqual({
      VERIFY_AUTHENTICODE_TEST_TOOLS: '${{ matrix.tools }}',
    });
    expect(
      Object.fromEntries(legs.map((leg) => [leg.os, leg.tools ?? 'required (the Linux default)'])),
    ).toEqual({
      'ubuntu-latest': 'required (the Linux default)',
      'windows-latest': 'optional',
      'macos-latest': 'optional',
    });
  });

  it("install git and the README's Debian packages on Linux", () => {
    const install = crossPlatform.steps.find((step) => step.if === "runner.os == 'Linux'");
    const words = (install?.run ?? '').split(/\s+/);
    for (const name of ['git', ...debianPackages()]) expect(words).toContain(name);
  });
});

describe('.github/workflows/ci.yml', () => {
  const ci = readWorkflow(join(WORKFLOWS, 'ci.yml')).jobs.ci!;

  it('runs .ci/run in debian:trixie after installing git (Ubuntu has no osslsigncode 2.9)', () => {
    expect(ci.container).toBe('debian:trixie');
    const runs = ci.steps.map((step) => step.run ?? step.uses);
    const git = runs.findIndex((run) => /apt-get install[^\n]* git\b/.test(run ?? ''));
    const checkout = runs.findIndex((run) => run?.startsWith('actions/checkout@'));
    expect(git).toBeGreaterThanOrEqual(0);
    expect(checkout).toBeGreaterThan(git);
    expect(runs.at(-1)).toBe('bash .ci/run');
  });
});
