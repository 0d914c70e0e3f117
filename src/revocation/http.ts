import { createHash } from 'node:crypto';
import type http from 'node:http';

/**
 * Bounded HTTP(S) for revocation data: every request has a deadline covering connection,
 * headers and body; bodies are read up to a size limit; redirects are followed a few times and
 * loops are named; the whole phase shares one budget; and each URL (with its request body) is
 * fetched once per run, since a release signs every file with the same chain.
 */

export interface FetchLimits {
  requestTimeoutMs: number;
  maxResponseBytes: number;
  maxRedirects: number;
}

export type FetchResult = { ok: true; body: Buffer; url: string } | { ok: false; problem: string };

type Transport = Pick<typeof http, 'request'>;

/**
 * node:http, or node:https with TLS beneath it, loaded by the first request: most runs never go
 * online, and loading them is a visible part of a small run's start-up (issue 19).
 */
async function transportFor(protocol: string): Promise<Transport> {
  return protocol === 'https:'
    ? (await import('node:https')).default
    : (await import('node:http')).default;
}

export class RevocationFetcher {
  private readonly cache = new Map<string, Promise<FetchResult>>();
  private readonly deadline: number;
  /** Requests made (cache misses), for the report and for tests of the cache. */
  requests = 0;

  constructor(
    private readonly limits: FetchLimits,
    budgetMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.deadline = clock() + budgetMs;
  }

  get(url: string): Promise<FetchResult> {
    return this.once(url, url, () => this.follow(url, 'GET'));
  }

  post(url: string, body: Buffer, contentType: string): Promise<FetchResult> {
    const key = `${url}\n${createHash('sha256').update(body).digest('hex')}`;
    return this.once(key, url, () => this.follow(url, 'POST', body, contentType));
  }

  private once(key: string, _url: string, run: () => Promise<FetchResult>): Promise<FetchResult> {
    let pending = this.cache.get(key);
    if (!pending) {
      pending = run().catch((error: unknown) => ({
        ok: false as const,
        problem: `request failed: ${error instanceof Error ? error.message : String(error)}`,
      }));
      this.cache.set(key, pending);
    }
    return pending;
  }

  private async follow(
    start: string,
    method: 'GET' | 'POST',
    body?: Buffer,
    contentType?: string,
  ): Promise<FetchResult> {
    const visited: string[] = [];
    let url = start;
    for (;;) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return { ok: false, problem: `"${url}" is not a URL` };
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        return {
          ok: false,
          problem: `${parsed.protocol} URLs are not fetched (HTTP and HTTPS only)`,
        };
      if (visited.includes(parsed.href))
        return { ok: false, problem: `redirect loop: ${[...visited, parsed.href].join(' → ')}` };
      visited.push(parsed.href);
      const remaining = this.deadline - this.clock();
      if (remaining <= 0)
        return { ok: false, problem: 'not fetched: the revocation phase used up its time budget' };
      const timeout = Math.min(this.limits.requestTimeoutMs, remaining);
      this.requests++;
      const transport = await transportFor(parsed.protocol);
      const answer = await this.request(transport, parsed, method, timeout, body, contentType);
      if (answer.kind === 'redirect') {
        let next: string;
        try {
          next = new URL(answer.location, parsed).href;
        } catch {
          return {
            ok: false,
            problem: `HTTP ${answer.status} to "${answer.location}", which is not a URL`,
          };
        }
        if (visited.length > this.limits.maxRedirects)
          return {
            ok: false,
            problem: `more than ${this.limits.maxRedirects} redirects: ${[...visited, next].join(' → ')}`,
          };
        url = next;
        // A 303 (and, by long practice, 301/302 of a POST) continues as GET; OCSP over GET would
        // need a different request, so a redirected POST keeps its method only on 307/308.
        if (answer.status === 303) method = 'GET';
        continue;
      }
      if (answer.kind === 'error') return { ok: false, problem: answer.problem };
      return { ok: true, body: answer.body, url: parsed.href };
    }
  }

  private request(
    transport: Transport,
    url: URL,
    method: 'GET' | 'POST',
    timeoutMs: number,
    body?: Buffer,
    contentType?: string,
  ): Promise<
    | { kind: 'body'; body: Buffer }
    | { kind: 'redirect'; status: number; location: string }
    | { kind: 'error'; problem: string }
  > {
    const seconds = `${(timeoutMs / 1000).toFixed(timeoutMs % 1000 === 0 ? 0 : 1)} s`;
    const max = this.limits.maxResponseBytes;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: Parameters<typeof resolve>[0]) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        resolve(value);
      };
      const headers: Record<string, string | number> = { 'user-agent': 'verify-authenticode' };
      if (body) {
        headers['content-type'] = contentType ?? 'application/octet-stream';
        headers['content-length'] = body.length;
      }
      const request = transport.request(url, { method, headers }, (response) => {
        const status = response.statusCode ?? 0;
        if ([301, 302, 303, 307, 308].includes(status)) {
          const location = response.headers.location;
          response.resume();
          if (!location)
            return finish({ kind: 'error', problem: `HTTP ${status} without a Location` });
          return finish({ kind: 'redirect', status, location });
        }
        if (status !== 200) {
          response.resume();
          return finish({ kind: 'error', problem: `HTTP ${status}` });
        }
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > max)
          return finish({
            kind: 'error',
            problem: `the response is ${declared} bytes, more than the limit of ${max}`,
          });
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > max) {
            finish({ kind: 'error', problem: `the response exceeds the limit of ${max} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => finish({ kind: 'body', body: Buffer.concat(chunks) }));
        response.on('error', (error) => finish({ kind: 'error', problem: error.message }));
      });
      const timer = setTimeout(
        () => finish({ kind: 'error', problem: `no complete answer within ${seconds}` }),
        timeoutMs,
      );
      request.on('error', (error: NodeJS.ErrnoException) =>
        finish({
          kind: 'error',
          problem: error.code ? `${error.code}: ${error.message}` : error.message,
        }),
      );
      request.end(body);
    });
  }
}
