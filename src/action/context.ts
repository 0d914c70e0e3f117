import { readFileSync } from 'node:fs';
import type { SummaryContext } from '../report/index.js';

/**
 * The run's commit, ref and pull request, read from the variables the runner sets
 * (GITHUB_SHA, GITHUB_REF, and the event payload at GITHUB_EVENT_PATH). Read directly rather
 * than through @actions/github, which would double the bundle for three fields.
 */
export function workflowContext(env: NodeJS.ProcessEnv = process.env): SummaryContext {
  const context: SummaryContext = {};
  if (env.GITHUB_SHA) context.sha = env.GITHUB_SHA;
  if (env.GITHUB_REF) context.ref = env.GITHUB_REF;
  const pr = pullRequest(env.GITHUB_EVENT_PATH);
  if (pr) context.pullRequest = pr;
  return context;
}

function pullRequest(eventPath: string | undefined): SummaryContext['pullRequest'] {
  if (!eventPath) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch {
    return undefined; // no payload (a local run): the summary simply names no pull request
  }
  const pr = (payload as { pull_request?: Record<string, unknown> } | null)?.pull_request;
  if (!pr || typeof pr !== 'object') return undefined;
  return {
    number: Number(pr.number),
    title: String(pr.title ?? ''),
    url: String(pr.html_url ?? ''),
  };
}
