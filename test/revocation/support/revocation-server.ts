import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../support/manifest.js';

/**
 * The CRL distribution points and OCSP responders the revocation fixtures name
 * (http://127.0.0.1:47391/…, fixtures/src/openssl-revocation.cnf), served on loopback only by
 * the test that needs them and stopped by it:
 *   /crl/<name>.crl  the committed CRL fixtures
 *   /ocsp            `openssl ocsp` answering from the CA database with the delegated responder
 *   /ocsp-direct     the same, signed by the CA itself
 *   /hang            accepts the request and never answers
 *   /big             a 64 MiB body (declared in Content-Length)
 *   /loop            redirects to itself
 */
export const REVOCATION_PORT = 47391;
const R = join(REPO, 'fixtures/revocation');

export interface RevocationServer {
  /** Requests seen, as "METHOD /path". */
  requests: string[];
  close(): Promise<void>;
}

function ocspAnswer(query: Buffer, work: string, direct: boolean): Promise<Buffer> {
  const id = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const reqFile = join(work, `${id}.req`);
  const respFile = join(work, `${id}.resp`);
  writeFileSync(reqFile, query);
  const signer = direct ? 'revocation-ca' : 'ocsp-responder';
  const args = [
    'ocsp',
    '-index',
    join(R, 'ca/index.txt'),
    '-CA',
    join(R, 'pki/revocation-ca.pem'),
    '-rsigner',
    join(R, `pki/${signer}.pem`),
    '-rkey',
    join(R, `pki/${signer}.key`),
    '-reqin',
    reqFile,
    '-respout',
    respFile,
    '-ndays',
    '7',
  ];
  return new Promise((resolve, reject) => {
    execFile('openssl', args, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`openssl ocsp failed: ${stderr}`));
      const body = readFileSync(respFile);
      rmSync(reqFile, { force: true });
      rmSync(respFile, { force: true });
      resolve(body);
    });
  });
}

function send(res: ServerResponse, status: number, body: Buffer | string, type: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

export async function startRevocationServer(): Promise<RevocationServer> {
  const work = mkdtempSync(join(tmpdir(), 'revocation-server-'));
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const crl = /^\/crl\/([a-z-]+\.crl)$/.exec(path);
      if (crl) {
        try {
          send(res, 200, readFileSync(join(R, 'crl', crl[1]!)), 'application/pkix-crl');
        } catch {
          send(res, 404, 'no such CRL\n', 'text/plain');
        }
      } else if ((path === '/ocsp' || path === '/ocsp-direct') && req.method === 'POST') {
        ocspAnswer(Buffer.concat(chunks), work, path === '/ocsp-direct').then(
          (body) => send(res, 200, body, 'application/ocsp-response'),
          (error: Error) => send(res, 500, error.message, 'text/plain'),
        );
      } else if (path === '/hang') {
        // Never answers: the client's timeout must end the request.
      } else if (path === '/big') {
        res.writeHead(200, {
          'content-type': 'application/pkix-crl',
          'content-length': 64 * 1024 * 1024,
        });
        const chunk = Buffer.alloc(64 * 1024, 0x30);
        let sent = 0;
        const pump = (): void => {
          while (sent < 64 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => (sent = Number.POSITIVE_INFINITY));
        pump();
      } else if (path === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else {
        send(res, 404, 'not found\n', 'text/plain');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(REVOCATION_PORT, '127.0.0.1', () => resolve());
  });
  return {
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          rmSync(work, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
