/**
 * The bounded HTTP fetcher of the revocation phase, against servers on 127.0.0.1 that this test
 * starts on free ports and stops.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationFetcher } from '../../src/revocation/index.js';

let server: Server;
let base = '';
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.push(path);
    const hop = /^\/hop\/(\d+)$/.exec(path);
    if (path === '/ok') {
      res.end('fine');
    } else if (path === '/chunked') {
      // No Content-Length: the limit must stop the body while it streams.
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024, 0x41));
      res.end();
    } else if (hop) {
      res.writeHead(302, { location: `/hop/${Number(hop[1]) + 1}` });
      res.end();
    } else if (path === '/missing') {
      res.writeHead(404);
      res.end();
    } else {
      res.writeHead(500);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const limits = { requestTimeoutMs: 5_000, maxResponseBytes: 4096, maxRedirects: 3 };

describe('revocation fetcher', () => {
  it('fetches a URL once per run, however often it is asked for', async () => {
    const fetcher = new RevocationFetcher(limits, 60_000);
    const before = hits.filter((h) => h === '/ok').length;
    const [a, b] = await Promise.all([fetcher.get(`${base}/ok`), fetcher.get(`${base}/ok`)]);
    expect(a).toEqual({ ok: true, body: Buffer.from('fine'), url: `${base}/ok` });
    expect(b).toBe(await fetcher.get(`${base}/ok`));
    expect(hits.filter((h) => h === '/ok').length - before).toBe(1);
    expect(fetcher.requests).toBe(1);
  });

  it('stops a body without a declared length at the size limit', async () => {
    const fetcher = new RevocationFetcher(limits, 60_000);
    expect(await fetcher.get(`${base}/chunked`)).toEqual({
      ok: false,
      problem: 'the response exceeds the limit of 4096 bytes',
    });
  });

  it('follows at most maxRedirects redirects and lists the hops', async () => {
    const fetcher = new RevocationFetcher(limits, 60_000);
    const result = await fetcher.get(`${base}/hop/0`);
    expect(result).toEqual({
      ok: false,
      problem: `more than 3 redirects: ${[0, 1, 2, 3, 4].map((n) => `${base}/hop/${n}`).join(' → ')}`,
    });
  });

  it('reports HTTP errors, refused connections and schemes it does not fetch', async () => {
    const fetcher = new RevocationFetcher(limits, 60_000);
    expect(await fetcher.get(`${base}/missing`)).toEqual({ ok: false, problem: 'HTTP 404' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await fetcher.get(`http://127.0.0.1:${port}/crl`);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.problem).toMatch(/^ECONNREFUSED: /);
    expect(await fetcher.get('ldap://ldap.example/cn=CA?certificateRevocationList')).toEqual({
      ok: false,
      problem: 'ldap: URLs are not fetched (HTTP and HTTPS only)',
    });
  });

  it('makes no request once the phase budget is used up', async () => {
    let now = 1_000;
    const fetcher = new RevocationFetcher(limits, 500, () => now);
    now = 1_500;
    const before = hits.length;
    expect(await fetcher.get(`${base}/ok`)).toEqual({
      ok: false,
      problem: 'not fetched: the revocation phase used up its time budget',
    });
    expect(hits.length).toBe(before);
    expect(fetcher.requests).toBe(0);
  });
});
