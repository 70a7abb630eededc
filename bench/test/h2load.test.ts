// The bench's h2load runs (bench/h2load.ts) against small node:http2 servers on loopback: tls-handshake makes a new,
// unresumed TLS connection per request; a run where h2load sees failed requests, or none answered at all, fails
// loudly instead of counting; and a gRPC run whose calls come back without a reply (an error status, as a misrouted
// call gets) is refused.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createSecureServer, createServer, constants, type Http2Server, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import t, { type Test } from 'tap';
import { makeDemoCertificate } from '../../gateway/src/demo-certificate.js';
import { writeSayHelloBody } from '../grpc-call.js';
import { runH2load } from '../h2load.js';

const never = new AbortController().signal;

async function listen(server: Http2Server | Http2SecureServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function scratch(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-h2load-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function tlsServer(t: Test, dir: string, onStream: (stream: ServerHttp2Stream, count: number) => void): Promise<{ port: number; connections: TLSSocket[] }> {
  const made = makeDemoCertificate(join(dir, 'tls'));
  if ('error' in made) throw new Error(made.error);
  const server = createSecureServer({ cert: readFileSync(made.cert), key: readFileSync(made.key), allowHTTP1: false });
  const connections: TLSSocket[] = [];
  server.on('secureConnection', (socket: TLSSocket) => connections.push(socket));
  let count = 0;
  server.on('stream', (stream) => {
    // h2load ends its run by closing its connections with streams still open: their resets are expected here,
    // and an 'error' with no listener would end the test process.
    stream.on('error', () => {});
    onStream(stream, ++count);
  });
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: await listen(server), connections };
}

const world = (stream: ServerHttp2Stream) => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain' });
  stream.end('World');
};

t.test('tls-handshake: every request on a new TLS connection, none resumed', async (t) => {
  const dir = await scratch(t);
  const { port, connections } = await tlsServer(t, dir, world);
  const result = await runH2load({ protocol: 'tls-handshake', dir }, `https://127.0.0.1:${port}/hello`, { connections: 4, durationSec: 1 }, never);
  t.ok(result.requests >= 4, `${result.requests} requests`);
  t.equal(connections.length, result.requests, 'as many TLS connections as requests');
  t.equal(connections.filter((socket) => socket.isSessionReused()).length, 0, 'no session resumed');
  t.ok(result.reqPerSec > 0 && result.latencyMs.p50 > 0 && result.latencyMs.p50 <= result.latencyMs.p99, 'a rate and ordered percentiles');
});

t.test('h2: a run in which h2load sees reset streams fails, naming the count', async (t) => {
  const dir = await scratch(t);
  const { port } = await tlsServer(t, dir, (stream, count) => {
    if (count % 5 !== 0) return world(stream);
    stream.close(constants.NGHTTP2_INTERNAL_ERROR);
  });
  await t.rejects(
    runH2load({ protocol: 'h2', dir }, `https://127.0.0.1:${port}/hello`, { connections: 2, streams: 2, durationSec: 1 }, never),
    /h2load .*: \d+ failed, \d+ errored, \d+ timed out of \d+ requests; the round is not counted/,
  );
});

t.test('h2: a run in which no request is answered fails instead of reporting 0 req/s', async (t) => {
  const dir = await scratch(t);
  const { port } = await tlsServer(t, dir, () => {}); // takes every stream, answers none
  await t.rejects(
    runH2load({ protocol: 'h2', dir }, `https://127.0.0.1:${port}/hello`, { connections: 1, streams: 2, durationSec: 1 }, never),
    /h2load: no request to https:\/\/127\.0\.0\.1:\d+\/hello was answered in 1 s/,
  );
});

t.test('grpc: calls answered with a reply count; calls answered with an error status fail the run', async (t) => {
  const dir = await scratch(t);
  const plan = { protocol: 'grpc' as const, dir, grpc: await writeSayHelloBody(dir) };
  let answer: (stream: ServerHttp2Stream) => void = () => {};
  const paths = new Set<string>();
  const server = createServer();
  server.on('stream', (stream, headers) => {
    paths.add(`${headers[':method']} ${headers[':path']} ${headers['content-type']}`);
    stream.resume().once('end', () => answer(stream));
  });
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${await listen(server)}/helloworld.Greeter/SayHello`;

  // HelloReply{message: "World"}, framed: 0, length 7, field 1 (0x0a) of 5 bytes.
  const reply = Buffer.from([0, 0, 0, 0, 7, 0x0a, 5, ...Buffer.from('World')]);
  answer = (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(reply);
  };
  const ok = await runH2load(plan, url, { connections: 2, streams: 2, durationSec: 1 }, never);
  t.ok(ok.requests > 0, `${ok.requests} calls`);
  t.same([...paths], ['POST /helloworld.Greeter/SayHello application/grpc'], 'POSTs of gRPC calls to SayHello');

  answer = (stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12' }, { endStream: true });
  await t.rejects(runH2load(plan, url, { connections: 2, streams: 2, durationSec: 1 }, never), /some calls failed with a gRPC status/);
});
