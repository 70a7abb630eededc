// Errors made before the pool, as a @grpc/grpc-js client sees them: no route, API key and JWT refusals, a rate
// limit, a pool at its concurrency cap, a pool with no backend and gateway-wide
// overload all answer a gRPC status (trailers-only, HTTP 200), never the JSON an HTTP client gets. The headers
// of a refusal (Retry-After, RateLimit) reach the client as metadata; gateway_grpc_requests_total counts every
// refused call to a grpc pool under its status name.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import t, { type Test } from 'tap';
import { startGateway } from './helpers/gateway.js';
import { greeterClient } from './helpers/greeter-client.js';
import { spawnGreeter } from './helpers/greeter-processes.js';
import { signToken } from './helpers/jwks-process.js';
import { metricSum } from './helpers/metrics-sum.js';
import { scratchDir } from './helpers/scratch-dir.js';

const SECRET = 'a-grpc-edge-hs256-secret-of-32-bytes-or-more';
const secretFile = join(scratchDir('grpc-edge-errors'), 'hs256.secret');
writeFileSync(secretFile, SECRET);

interface Outcome {
  code: number;
  details: string;
  metadata: Metadata;
}

type Greeter = Client & {
  SayHello(request: { name: string }, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null) => void): unknown;
  SayHelloBidi(metadata: Metadata, options: { deadline: number }): ClientDuplexStream<{ name: string }, { message: string }>;
};

function headers(values: Record<string, string>): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(values)) metadata.set(name, value);
  return metadata;
}

/** One SayHello: the status the client got, with the metadata that came with it. */
function sayHello(client: Greeter, metadata: Metadata, name = 'Hello'): Promise<Outcome> {
  return new Promise((resolve) => {
    client.SayHello({ name }, metadata, { deadline: Date.now() + 10_000 }, (error) => {
      resolve(error ? { code: error.code, details: error.details, metadata: error.metadata } : { code: 0, details: '', metadata: new Metadata() });
    });
  });
}

/** A bidi call answered once and left open: it holds a concurrency slot until ended. */
async function holdCall(t: Test, client: Greeter, metadata: Metadata): Promise<void> {
  const call = client.SayHelloBidi(metadata, { deadline: Date.now() + 30_000 });
  call.on('error', () => {});
  const reply = new Promise((resolve) => call.once('data', resolve));
  call.write({ name: 'Hello' });
  await reply;
  t.teardown(() => call.end());
}

// A backend belongs to one pool: the capped pool has its own.
const [greeter, cappedGreeter] = await Promise.all([spawnGreeter('greeter-edge'), spawnGreeter('greeter-capped')]);
t.teardown(() => Promise.all([greeter.kill(), cappedGreeter.kill()]));
const grpcPool = (extra: Record<string, unknown> = {}) => ({ backends: [greeter.url], protocol: 'grpc', healthCheck: { enabled: false }, ...extra });
const on = (value: string) => ({ headers: { 'x-case': value } });

t.test('errors before the pool, by a grpc-js client', async (t) => {
  const gateway = await startGateway({
    http2: { h2cPort: 0 },
    pools: { greeter: grpcPool(), capped: grpcPool({ backends: [cappedGreeter.url], concurrency: { maxPerBackend: 1, maxPending: 0 } }), empty: grpcPool({ backends: [] }) },
    routes: [
      { name: 'open', match: on('open'), pool: 'greeter' },
      { name: 'keyed', match: on('keyed'), pool: 'greeter', auth: { apiKey: { keys: [{ name: 'alice', sha256: createHash('sha256').update('alice-key').digest('hex') }] } } },
      { name: 'scoped', match: on('scoped'), pool: 'greeter', auth: { jwt: { secretFile, requiredClaims: { scope: 'greet' } } } },
      { name: 'limited', match: on('limited'), pool: 'greeter', rateLimit: { rate: 0.01, burst: 1 } },
      { name: 'busy', match: on('busy'), pool: 'capped' },
      { name: 'empty', match: on('empty'), pool: 'empty' },
    ],
  });
  t.teardown(() => gateway.close());
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`) as Greeter;
  t.teardown(() => client.close());
  const noScope = await signToken({ alg: 'HS256', secret: new TextEncoder().encode(SECRET) }, { sub: 'bob', scope: 'read' }, { expIn: 60 });
  t.equal((await sayHello(client, headers({ 'x-case': 'limited' }))).code, 0, 'the rate limit lets the first call in');
  await holdCall(t, client, headers({ 'x-case': 'busy' }));

  const rows: { name: string; metadata: Record<string, string>; code: number; details: RegExp }[] = [
    { name: 'a call that reaches the backend', metadata: { 'x-case': 'open' }, code: 0, details: /^$/ },
    { name: 'no route (404)', metadata: { 'x-case': 'nowhere' }, code: 12, details: /no route of this gateway matches/ },
    { name: 'no API key (401)', metadata: { 'x-case': 'keyed' }, code: 16, details: /needs credentials/ },
    { name: 'a JWT without the required claim (403)', metadata: { 'x-case': 'scoped', authorization: `Bearer ${noScope}` }, code: 7, details: /lack a claim/ },
    { name: 'over the rate limit (429)', metadata: { 'x-case': 'limited' }, code: 8, details: /rate limit/ },
    { name: 'every backend at its cap, no queue (503 backend_busy)', metadata: { 'x-case': 'busy' }, code: 14, details: /concurrency cap/ },
    { name: 'no backend (503 no_available_backend)', metadata: { 'x-case': 'empty' }, code: 14, details: /no backend is available/ },
  ];
  const seen = new Map<string, Outcome>();
  for (const row of rows) {
    const outcome = await sayHello(client, headers(row.metadata));
    seen.set(row.name, outcome);
    t.equal(outcome.code, row.code, `${row.name}: status ${outcome.code} (${outcome.details})`);
    t.match(outcome.details, row.details, `${row.name}: grpc-message`);
  }

  const limited = seen.get('over the rate limit (429)')!.metadata;
  t.match(limited.get('retry-after')[0], /^\d+$/, 'Retry-After reaches the client as metadata');
  t.match(limited.get('ratelimit')[0], /^"limited";r=0;t=\d+$/, 'so does RateLimit');
  t.match(seen.get('no API key (401)')!.metadata.get('www-authenticate')[0], /./, 'and WWW-Authenticate');

  const count = (pool: string, code: string) => metricSum(gateway.adminUrl, 'gateway_grpc_requests_total', { pool, code });
  t.equal(await count('greeter', 'UNAUTHENTICATED'), 1);
  t.equal(await count('greeter', 'PERMISSION_DENIED'), 1);
  t.equal(await count('greeter', 'RESOURCE_EXHAUSTED'), 1);
  t.equal(await count('greeter', 'OK'), 2);
  t.equal(await count('capped', 'UNAVAILABLE'), 1);
  t.equal(await count('empty', 'UNAVAILABLE'), 1);
});

t.test('gateway-wide overload (503 overloaded): UNAVAILABLE with Retry-After', async (t) => {
  const gateway = await startGateway({
    http2: { h2cPort: 0 },
    overload: { maxConcurrentRequests: 1, retryAfterSeconds: 7 },
    pools: { greeter: grpcPool() },
    routes: [{ name: 'rpc', pool: 'greeter' }],
  });
  t.teardown(() => gateway.close());
  const client = greeterClient(`127.0.0.1:${gateway.h2cPort!}`) as Greeter;
  t.teardown(() => client.close());
  await holdCall(t, client, new Metadata());
  const outcome = await sayHello(client, new Metadata());
  t.equal(outcome.code, 14, outcome.details);
  t.match(outcome.details, /the gateway is overloaded/);
  t.equal(outcome.metadata.get('retry-after')[0], '7');
});
