// `npm run rpc -- Hello [--repeat N] [--plaintext]`: the demo's gRPC client. It calls helloworld.Greeter/SayHello
// through the gateway like a local function and prints the answer and which backend gave it (x-backend-id).
// Default target: the gateway's TLS port, localhost:8443, trusting the demo certificate in .gateway-tls/;
// --plaintext: h2c on localhost:8082; --target HOST:PORT and --cacert FILE point it elsewhere.
// With --repeat N the calls go one after another and a summary follows: calls, failures, calls per backend.
// Exit code 0 when every call answered "World", 1 when any failed, 2 for bad arguments.
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Greeter, type HelloReply } from './grpc-protos.js';

const TLS_TARGET = 'localhost:8443';
const H2C_TARGET = 'localhost:8082';
const DEMO_CA = resolve('.gateway-tls', 'localhost.crt');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    repeat: { type: 'string', default: '1' },
    plaintext: { type: 'boolean', default: false },
    target: { type: 'string' },
    cacert: { type: 'string' },
    'deadline-ms': { type: 'string', default: '5000' },
  },
});

function usage(problem: string): never {
  process.stderr.write(`rpc: ${problem}\nusage: npm run rpc -- Hello [--repeat N] [--plaintext] [--target HOST:PORT] [--cacert FILE] [--deadline-ms MS]\n`);
  process.exit(2);
}
const name = positionals[0] ?? 'Hello';
const repeat = Number(values.repeat);
const deadlineMs = Number(values['deadline-ms']);
if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1_000_000) usage(`--repeat must be an integer from 1 to 1000000, got ${values.repeat}`);
if (!Number.isInteger(deadlineMs) || deadlineMs < 1) usage(`--deadline-ms must be a positive integer, got ${values['deadline-ms']}`);
const target = values.target ?? (values.plaintext ? H2C_TARGET : TLS_TARGET);
const caFile = values.cacert ?? DEMO_CA;
if (!values.plaintext && values.cacert === undefined && !existsSync(caFile)) {
  usage(`no demo certificate at ${caFile}: start the demo with npm start (it makes one), or pass --cacert FILE or --plaintext`);
}

const client = new Greeter(target, values.plaintext ? credentials.createInsecure() : credentials.createSsl(readFileSync(caFile)), {
  // One connection for every call, as a real client keeps: the gateway, not the connection, spreads the calls.
  'grpc.enable_retries': 0,
});
type SayHello = (request: { name: string }, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, reply?: HelloReply) => void) => NodeJS.EventEmitter;

/** One call: the answer or the error, and the backend named in the response metadata (or the error's trailers). */
function call(): Promise<{ error?: ServiceError; message?: string; backend: string }> {
  return new Promise((done) => {
    let backend: string | undefined;
    const pending = (client as unknown as { SayHello: SayHello }).SayHello({ name }, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, reply) => {
      backend ??= (error?.metadata?.get('x-backend-id')[0] as string | undefined) ?? '?';
      done(error ? { error, backend } : { message: reply!.message, backend });
    });
    pending.on('metadata', (metadata: Metadata) => (backend = metadata.get('x-backend-id')[0] as string | undefined));
  });
}

const perBackend = new Map<string, number>();
const failures = new Map<string, number>();
for (let index = 1; index <= repeat; index++) {
  const outcome = await call();
  const prefix = repeat > 1 ? `#${index} ` : '';
  if (outcome.error) {
    const code = status[outcome.error.code] ?? String(outcome.error.code);
    failures.set(code, (failures.get(code) ?? 0) + 1);
    process.stdout.write(`${prefix}failed: ${code} ${outcome.error.details} (backend ${outcome.backend})\n`);
  } else {
    perBackend.set(outcome.backend, (perBackend.get(outcome.backend) ?? 0) + 1);
    process.stdout.write(`${prefix}${outcome.message}  ← ${outcome.backend}\n`);
  }
}
client.close();

const failed = [...failures.values()].reduce((sum, count) => sum + count, 0);
if (repeat > 1) {
  const backends = [...perBackend].sort(([a], [b]) => a.localeCompare(b)).map(([id, count]) => `${id} ${count}`).join(', ');
  const why = failed === 0 ? '' : ` (${[...failures].map(([code, count]) => `${code} ${count}`).join(', ')})`;
  process.stdout.write(`\ncalls ${repeat}, failed ${failed}${why}, answered by: ${backends || 'none'}\n`);
}
process.exitCode = failed === 0 ? 0 : 1;
