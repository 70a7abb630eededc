// Starting the things the bench measures: the backends (demo Node servers or fixed-cost nginx), and in front
// of them the gateway (either engine), the minimal Node proxy, nginx and HAProxy. Each target says which
// process groups are its own, so its CPU and memory can be read from /proc.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { failOnEarlyExit, startProcess, type Started } from './processes.js';
import { gatewayEnv, routeTableEnv } from './gateway-env.js';
import { minimalProxyConfig, nginxBackendsConfig, type ProxyConfigSource, type ProxyKind } from './proxy-configs.js';
import { renderedProxyConfig } from './rendered-configs.js';
import { startCaddy } from './caddy-target.js';
import { freePort } from './free-port.js';

export const TARGET_NAMES = ['direct', 'gateway', 'gateway-alt-node', 'gateway-routes', 'gateway-reply-from', 'gateway-tail', 'gateway-access-log', 'node-floor', 'node-floor-alt-node', 'nginx', 'haproxy', 'gateway-workers2', 'gateway-workers2-reuseport', 'nginx-2workers', 'caddy'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
export type BackendKind = 'demo' | 'nginx' | 'greeter';
export const PROXY_CONFIGS = { rendered: renderedProxyConfig, minimal: minimalProxyConfig } satisfies Record<string, ProxyConfigSource>;
export type ProxyConfigName = keyof typeof PROXY_CONFIGS;

/** How long a process may take to answer its first GET /hello (the gateway waits for a good probe). */
const READY_TIMEOUT_MS = 15_000;
const PATH = '/hello';

export interface Backends {
  kind: BackendKind;
  origins: string[];
  pgids: number[];
}

export interface Target {
  name: TargetName;
  /** The URL the load generator requests. */
  url: string;
  /** The process groups whose CPU and memory count as this target's cost. */
  pgids: number[];
}

const distDir = fileURLToPath(new URL('..', import.meta.url));

function answers200(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 1_000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.once('error', () => resolve(false)).once('timeout', () => request.destroy());
  });
}

/** Polls GET url until it answers 200; fails if the process exits first or the deadline passes. */
export async function waitUntilServing(started: Started, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void started.exited.then(() => (exited = true));
  const poll = async () => {
    // stops polling once the process is gone, so a failed start is reported without waiting out the deadline
    while (Date.now() < deadline && !exited) {
      if (await answers200(url)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${started.name} did not answer 200 on ${url} within ${READY_TIMEOUT_MS} ms:\n  ${started.lastLines.join('\n  ')}`);
  };
  await failOnEarlyExit(started, poll());
}

export async function startNginx(name: string, dir: string, config: string): Promise<Started> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'nginx.conf');
  await writeFile(file, config);
  return startProcess(name, 'nginx', ['-p', `${dir}/`, '-c', file, '-g', 'daemon off;']);
}

export async function startBackends(kind: BackendKind, count: number, dir: string): Promise<Backends> {
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const origins = ports.map((port) => `http://127.0.0.1:${port}`);
  if (kind === 'nginx') {
    const nginx = await startNginx('nginx-backends', join(dir, 'nginx-backends'), nginxBackendsConfig(join(dir, 'nginx-backends'), ports));
    await Promise.all(origins.map((origin) => waitUntilServing(nginx, origin + PATH)));
    return { kind, origins, pgids: [nginx.pgid] };
  }
  const script = join(distDir, 'backends/src/server.js');
  const started = ports.map((port, index) =>
    // LOG_LEVEL=warn: no per-request or start-up logging costs in the measured path.
    startProcess(`backend-${index + 1}`, process.execPath, [script, '--id', `backend-${index + 1}`, '--port', String(port)], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'warn' },
    }),
  );
  await Promise.all(started.map((backend, index) => waitUntilServing(backend, origins[index]! + PATH)));
  return { kind, origins, pgids: started.map((backend) => backend.pgid) };
}

/**
 * gateway-tail: the default gateway with the tail-tolerance features on (a 50 ms hedge delay and a 1 s per-try
 * timeout), so their cost with no fault shows beside the plain gateway in the same run: a timer per request.
 */
const TAIL_TOLERANCE_ENV = { GATEWAY_RETRY_HEDGE_AFTER_MS: '50', GATEWAY_RETRY_PER_TRY_TIMEOUT_MS: '1000' };

/**
 * gateway-routes: the default gateway with a table of this many routes (--routes), the bench's request
 * matching only the last, so a long table's cost per request shows beside the 1-route gateway in the same run.
 */
export const DEFAULT_ROUTE_COUNT = 50;

/** gateway-workers2: a primary and two traffic workers, the 2-core comparison with Caddy and nginx-2workers. */
const TWO_WORKERS_ENV = { GATEWAY_WORKERS: '2' };

async function startGateway(name: TargetName, engine: 'undici' | 'reply-from', backends: Backends, dir: string, extraEnv: Record<string, string> = {}, node = process.execPath, listenPort = 0): Promise<Target> {
  const { gateway, ports: { port } } = await spawnGateway(name, node, dir, {
    ...gatewayEnv(backends.origins),
    GATEWAY_PROXY_ENGINE: engine,
    ...extraEnv,
  }, listenPort);
  const url = `http://127.0.0.1:${port}${PATH}`;
  await waitUntilServing(gateway, url);
  return { name, url, pgids: [gateway.pgid] };
}

/** The ports the gateway logs once listening (TLS and h2c when configured: they may be 0 in the config). */
export interface GatewayPorts {
  port: number;
  tlsPort?: number;
  h2cPort?: number;
}

/** Starts the compiled gateway with `env` on admin port 0 and cleartext listenPort (0 unless told); resolves with the ports it logged. */
export async function spawnGateway(name: string, node: string, dir: string, env: Record<string, string>, listenPort = 0): Promise<{ gateway: Started; ports: GatewayPorts }> {
  const gateway = startProcess(name, node, [join(distDir, 'gateway/src/cli.js'), 'start'], {
    // cwd: a temp dir, so neither the repository's ./gateway.config.json (ports 3001-3003) is picked up
    // nor an audit log written into the working tree.
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      ...env,
      GATEWAY_LISTEN_PORT: String(listenPort),
      // port 0: two gateways (both engines) run side by side, and a developer's own gateway may hold 8081
      GATEWAY_ADMIN_PORT: '0',
    },
  });
  const listening = new Promise<GatewayPorts>((resolve) =>
    gateway.onLine((line) => {
      if (!line.includes('gateway listening')) return;
      const ports = JSON.parse(line) as Partial<GatewayPorts>;
      if (ports.port) resolve({ port: ports.port, tlsPort: ports.tlsPort, h2cPort: ports.h2cPort });
    }),
  );
  return { gateway, ports: await failOnEarlyExit(gateway, listening) };
}

/** The minimal Node proxy (bench/node-floor-proxy.ts): what any Node proxy costs before its features. */
async function startNodeFloor(name: TargetName, backends: Backends, node = process.execPath): Promise<Target> {
  const port = await freePort();
  const floor = startProcess(name, node, [join(distDir, 'bench/node-floor-proxy.js'), String(port), backends.origins.join(',')], {
    env: { PATH: process.env.PATH },
  });
  const url = `http://127.0.0.1:${port}${PATH}`;
  await waitUntilServing(floor, url);
  return { name, url, pgids: [floor.pgid] };
}

/** nginx or HAProxy; `nginxWorkers` > 1 replaces the one worker both config sources pin (nginx-2workers). */
async function startProxy(kind: ProxyKind, backends: Backends, dir: string, configs: ProxyConfigName, name: TargetName = kind, nginxWorkers = 1): Promise<Target> {
  const [port, statsPort] = await Promise.all([freePort(), freePort()]);
  const proxyDir = join(dir, name);
  await mkdir(proxyDir, { recursive: true });
  let config = await PROXY_CONFIGS[configs](kind, { dir: proxyDir, port, statsPort, backends: backends.origins });
  if (nginxWorkers > 1) {
    if (!/^worker_processes 1;$/m.test(config)) throw new Error(`cannot start ${name}: the nginx config no longer pins worker_processes 1`);
    config = config.replace(/^worker_processes 1;$/m, `worker_processes ${nginxWorkers};`);
  }
  let proxy: Started;
  if (kind === 'nginx') {
    proxy = await startNginx(kind, proxyDir, config);
  } else {
    const file = join(proxyDir, 'haproxy.cfg');
    await writeFile(file, config);
    proxy = startProcess(kind, 'haproxy', ['-db', '-f', file]);
  }
  const url = `http://127.0.0.1:${port}${PATH}`;
  await waitUntilServing(proxy, url);
  return { name, url, pgids: [proxy.pgid] };
}

async function startCaddyTarget(backends: Backends, dir: string): Promise<Target> {
  const port = await freePort();
  const caddy = await startCaddy(join(dir, 'caddy'), port, backends.origins);
  const url = `http://127.0.0.1:${port}${PATH}`;
  await waitUntilServing(caddy, url);
  return { name: 'caddy', url, pgids: [caddy.pgid] };
}

/**
 * Starts one target in front of the backends ('direct' starts nothing: it is the backends). The *-alt-node
 * targets run on the binary given as altNode (--node), the rest on the Node running the bench.
 */
export async function startTarget(name: TargetName, backends: Backends, dir: string, proxyConfigs: ProxyConfigName, routes = DEFAULT_ROUTE_COUNT, altNode?: string): Promise<Target> {
  switch (name) {
    case 'direct':
      // All connections to the first backend: on 2 cores one backend is not slower than three, and a
      // single URL keeps the latency histogram whole. Its cost is that of every backend process.
      return { name, url: backends.origins[0]! + PATH, pgids: backends.pgids };
    case 'gateway':
      return startGateway(name, 'undici', backends, dir);
    case 'gateway-alt-node':
      return startGateway(name, 'undici', backends, dir, {}, requireAltNode(altNode));
    case 'gateway-routes':
      return startGateway(name, 'undici', backends, dir, routeTableEnv(routes));
    case 'gateway-reply-from':
      return startGateway(name, 'reply-from', backends, dir);
    case 'gateway-tail':
      return startGateway(name, 'undici', backends, dir, TAIL_TOLERANCE_ENV);
    case 'gateway-access-log':
      // The default access log (every request, one JSON line) to a file, as a deployment would keep it.
      return startGateway(name, 'undici', backends, dir, { GATEWAY_LOG_ACCESS: 'true', GATEWAY_LOG_ACCESS_FILE: join(dir, 'access.log') });
    case 'node-floor':
      return startNodeFloor(name, backends);
    case 'node-floor-alt-node':
      return startNodeFloor(name, backends, requireAltNode(altNode));
    case 'gateway-workers2':
      return startGateway(name, 'undici', backends, dir, TWO_WORKERS_ENV);
    case 'gateway-workers2-reuseport':
      // reusePort needs a fixed port (Node 22.12+: run the bench itself on Node 24, or it exits 2 naming the key).
      return startGateway(name, 'undici', backends, dir, { ...TWO_WORKERS_ENV, GATEWAY_WORKERS_LISTEN: 'reusePort' }, process.execPath, await freePort());
    case 'nginx':
    case 'haproxy':
      return startProxy(name, backends, dir, proxyConfigs);
    case 'nginx-2workers':
      return startProxy('nginx', backends, dir, proxyConfigs, name, 2);
    case 'caddy':
      return startCaddyTarget(backends, dir);
  }
}

function requireAltNode(altNode: string | undefined): string {
  if (altNode === undefined) throw new Error('the *-alt-node targets need --node PATH');
  return altNode;
}

/** First line of `command`'s version output (stdout or stderr: nginx and wrk use stderr), or undefined when not installed. */
export function versionOf(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return undefined;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}
