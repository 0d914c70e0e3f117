// Preloaded with `node --import` by test/e2e/no-network.test.ts: every way a Node program can
// reach the network throws and is reported on stderr as "NETWORK ATTEMPT: …". Verification must
// never make one (issue #10: no network access in verification, ever).
import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import tls from 'node:tls';

function refuse(what) {
  return function refused() {
    process.stderr.write(`\nNETWORK ATTEMPT: ${what}\n`);
    throw new Error(`network access attempted (${what}) during verification`);
  };
}

const block = (object, names, prefix) => {
  for (const name of names) {
    if (typeof object[name] === 'function') object[name] = refuse(`${prefix}.${name}`);
  }
};

// Sockets for stdout/stderr pipes are net.Sockets too, but they never connect(): blocking
// connect() catches every outgoing TCP or IPC connection and nothing else.
net.Socket.prototype.connect = refuse('net.Socket.connect');
block(net, ['connect', 'createConnection'], 'net');
block(tls, ['connect'], 'tls');
block(http, ['request', 'get'], 'http');
block(https, ['request', 'get'], 'https');
block(http2, ['connect'], 'http2');
block(dgram, ['createSocket'], 'dgram');
block(
  dns,
  ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'],
  'dns',
);
block(
  dns.promises,
  ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'],
  'dns.promises',
);
globalThis.fetch = refuse('fetch');
if (globalThis.WebSocket) globalThis.WebSocket = refuse('WebSocket');
// Named ESM imports of the built-ins (`import { request } from 'node:http'`) see the patches too.
syncBuiltinESMExports();
