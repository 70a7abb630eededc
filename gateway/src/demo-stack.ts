// `npm start`: the gateway and four demo backends as child processes, their JSON logs pretty-printed and
// prefixed by process. Ctrl-C (or SIGTERM) stops every child gracefully and waits for it: no orphans.
// The gateway starts with two empty pools; the backends register themselves through its admin API, with a
// random token made for this session (written to .gateway-admin-token for curl): backend-1..3 into `default`,
// canary-1 into `canary`. Routes: /api/* is split 90/10 between them (sticky by the `session` cookie, the
// /api prefix stripped), everything else goes to `default`. HTTPS on 8443 with a self-signed certificate made at
// start (demo-certificate.ts), when openssl is there. Three gRPC Greeters (50051-50053) register into pool
// `greeter` (protocol grpc), routed by /helloworld.Greeter/ on 8443 (h2) and on h2c port 8082: npm run rpc -- Hello.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { prettyFactory } from 'pino-pretty';
import { makeDemoCertificate } from './demo-certificate.js';

const DEMO_BACKENDS = [
  { id: 'backend-1', port: 3001, pool: 'default' },
  { id: 'backend-2', port: 3002, pool: 'default' },
  { id: 'backend-3', port: 3003, pool: 'default' },
  { id: 'canary-1', port: 3004, pool: 'canary' },
];
const DEMO_GREETERS = [
  { id: 'greeter-1', port: 50051 },
  { id: 'greeter-2', port: 50052 },
  { id: 'greeter-3', port: 50053 },
];
/** HTTP/2 in the clear (prior knowledge) for `npm run rpc -- Hello --plaintext`; 8443 speaks h2 by ALPN. */
const DEMO_H2C_PORT = 8082;
/** The demo's two services: a canary split on /api/*, and the rest. */
const DEMO_POOLS = {
  default: { backends: [] },
  canary: { backends: [] },
  // SayHello has no side effects: a call cut off by a dying Greeter may be sent again to another one.
  greeter: { backends: [], protocol: 'grpc', grpc: { idempotentMethods: ['/helloworld.Greeter/SayHello'] } },
};
const DEMO_ROUTES = [
  { name: 'rpc', match: { pathPrefix: '/helloworld.Greeter/' }, pool: 'greeter' },
  { name: 'api', match: { pathPrefix: '/api' }, split: [{ pool: 'default', weight: 90 }, { pool: 'canary', weight: 10 }], sticky: { cookie: 'session' }, stripPrefix: true },
  { name: 'default', match: {}, pool: 'default' },
];
const ADMIN_URL = 'http://127.0.0.1:8081';
const TOKEN_FILE = resolve('.gateway-admin-token');
/** Backends start this far apart so they usually register, and so rotate, in the order 1, 2, 3. */
const BACKEND_STAGGER_MS = 200;
/** How long children get to finish in-flight work after Ctrl-C before they are killed. */
const STOP_TIMEOUT_MS = 15_000;
const COLORS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';

const backendScript = fileURLToPath(new URL('../../backends/src/server.js', import.meta.url));
const greeterScript = fileURLToPath(new URL('../../backends/src/greeter-server.js', import.meta.url));
const gatewayScript = fileURLToPath(new URL('./cli.js', import.meta.url));
const colorize = process.stdout.isTTY === true;
const prettify = prettyFactory({ colorize, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' });
const children = new Map<string, ChildProcess>();
let stopping = false;

function start(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, color: string): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = colorize ? `${color}${name.padEnd(9)}${RESET} │ ` : `${name.padEnd(9)} │ `;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(prefix + prettyLine(line)));
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    process.stdout.write(`${prefix}exited (${signal ?? `code ${code}`})\n`);
    if (name === 'gateway' && !stopping) void stopAll(1);
    if (stopping && children.size === 0) process.exit(process.exitCode ?? 0);
  });
  children.set(name, child);
  return child;
}

function prettyLine(line: string): string {
  if (!line.startsWith('{')) return `${line}\n`;
  try {
    return prettify(JSON.parse(line));
  } catch {
    return `${line}\n`;
  }
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.exitCode = exitCode;
  process.stdout.write('\nstopping the gateway and backends…\n');
  if (children.size === 0) process.exit(exitCode);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS).unref();
}

// Ctrl-C in a terminal reaches the children too (same process group); they stop on their own first signal.
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

const token = randomBytes(24).toString('base64url');
writeFileSync(TOKEN_FILE, `${token}\n`, { mode: 0o600 });
const certificate = makeDemoCertificate();
const tls = 'error' in certificate
  ? { GATEWAY_TLS_ENABLED: 'false' }
  : { GATEWAY_TLS_ENABLED: 'true', GATEWAY_TLS_CERTIFICATES: JSON.stringify([certificate]) };
// The gateway reads the token from the file, so it is not in its environment; backends get it to register.
start('gateway', gatewayScript, ['start'], {
  ...tls,
  GATEWAY_BACKENDS: '',
  GATEWAY_POOLS: JSON.stringify(DEMO_POOLS),
  GATEWAY_ROUTES: JSON.stringify(DEMO_ROUTES),
  GATEWAY_HTTP2_H2C_PORT: String(DEMO_H2C_PORT),
  GATEWAY_ADMIN_TOKEN: undefined,
  GATEWAY_ADMIN_TOKEN_FILE: TOKEN_FILE,
}, COLORS[0]!);
process.stdout.write(`gateway: http://127.0.0.1:8080 (try: curl -i localhost:8080/hello); admin ${ADMIN_URL} (try: curl ${ADMIN_URL}/pool)\n`);
process.stdout.write('error' in certificate
  ? `HTTPS is off: no self-signed certificate could be made (${certificate.error})\n`
  : `gateway: https://localhost:8443 with a self-signed certificate made now (try: curl -k https://localhost:8443/hello, or --cacert ${certificate.cert})\n`);
process.stdout.write(`admin token for this session: ${TOKEN_FILE} (curl -H "Authorization: Bearer $(cat .gateway-admin-token)" -X POST ${ADMIN_URL}/pool/<id>/drain)\n`);
process.stdout.write('routes: /api/* → 90 % pool default, 10 % pool canary (sticky by cookie "session"); the rest → default (curl localhost:8081/routes)\n');
process.stdout.write(`gRPC: pool greeter (Greeters on 50051-50053), route /helloworld.Greeter/ on 8443 (h2) and h2c ${DEMO_H2C_PORT} (try: npm run rpc -- Hello --repeat 6)\n`);
process.stdout.write('Ctrl-C stops everything\n');
DEMO_BACKENDS.forEach(({ id, port, pool }, index) => {
  setTimeout(() => {
    if (stopping) return;
    const args = ['--id', id, '--port', String(port), '--register', ADMIN_URL, '--pool', pool];
    const child = start(id, backendScript, args, { GATEWAY_ADMIN_TOKEN: token }, COLORS[index + 1]!);
    process.stdout.write(`${id}: pid ${child.pid}, http://127.0.0.1:${port}, pool ${pool} (restart by hand: GATEWAY_ADMIN_TOKEN=$(cat .gateway-admin-token) node ${backendScript} ${args.join(' ')})\n`);
  }, index * BACKEND_STAGGER_MS);
});
DEMO_GREETERS.forEach(({ id, port }, index) => {
  setTimeout(() => {
    if (stopping) return;
    const args = ['--id', id, '--port', String(port), '--register', ADMIN_URL, '--pool', 'greeter'];
    const child = start(id, greeterScript, args, { GATEWAY_ADMIN_TOKEN: token }, COLORS[(DEMO_BACKENDS.length + index + 1) % COLORS.length]!);
    process.stdout.write(`${id}: pid ${child.pid}, gRPC h2c 127.0.0.1:${port}, pool greeter\n`);
  }, (DEMO_BACKENDS.length + index) * BACKEND_STAGGER_MS);
});
