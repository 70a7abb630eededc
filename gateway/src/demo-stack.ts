// `npm start`: the gateway and three demo backends as child processes, their JSON logs pretty-printed and
// prefixed by process. Ctrl-C (or SIGTERM) stops every child gracefully and waits for it: no orphans.
// The gateway starts with an empty pool; the backends register themselves through its admin API, with a
// random token made for this session (written to .gateway-admin-token for curl).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { prettyFactory } from 'pino-pretty';

const DEMO_BACKENDS = [
  { id: 'backend-1', port: 3001 },
  { id: 'backend-2', port: 3002 },
  { id: 'backend-3', port: 3003 },
];
const ADMIN_URL = 'http://127.0.0.1:8081';
const TOKEN_FILE = resolve('.gateway-admin-token');
/** Backends start this far apart so they usually register, and so rotate, in the order 1, 2, 3. */
const BACKEND_STAGGER_MS = 200;
/** How long children get to finish in-flight work after Ctrl-C before they are killed. */
const STOP_TIMEOUT_MS = 15_000;
const COLORS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m'];
const RESET = '\x1b[0m';

const backendScript = fileURLToPath(new URL('../../backends/src/server.js', import.meta.url));
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
// The gateway reads the token from the file, so it is not in its environment; backends get it to register.
start('gateway', gatewayScript, ['start'], { GATEWAY_BACKENDS: '', GATEWAY_ADMIN_TOKEN: undefined, GATEWAY_ADMIN_TOKEN_FILE: TOKEN_FILE }, COLORS[0]!);
process.stdout.write(`gateway: http://127.0.0.1:8080 (try: curl -i localhost:8080/hello); admin ${ADMIN_URL} (try: curl ${ADMIN_URL}/pool)\n`);
process.stdout.write(`admin token for this session: ${TOKEN_FILE} (curl -H "Authorization: Bearer $(cat .gateway-admin-token)" -X POST ${ADMIN_URL}/pool/<id>/drain)\n`);
process.stdout.write('Ctrl-C stops everything\n');
DEMO_BACKENDS.forEach(({ id, port }, index) => {
  setTimeout(() => {
    if (stopping) return;
    const child = start(id, backendScript, ['--id', id, '--port', String(port), '--register', ADMIN_URL], { GATEWAY_ADMIN_TOKEN: token }, COLORS[index + 1]!);
    process.stdout.write(`${id}: pid ${child.pid}, http://127.0.0.1:${port} (restart by hand: GATEWAY_ADMIN_TOKEN=$(cat .gateway-admin-token) node ${backendScript} --id ${id} --port ${port} --register ${ADMIN_URL})\n`);
  }, index * BACKEND_STAGGER_MS);
});
