// The three proxies of the conformance suite as real foreground processes on loopback ports, each with its own
// temp dir: the compiled gateway CLI, and nginx and HAProxy running the config `gateway render` writes for the same
// pool, or for the same pools and routes.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { renderHaproxy } from '../../src/render/haproxy.js';
import { renderNginx } from '../../src/render/nginx.js';
import { spawnGateway } from './gateway-process.js';
import { waitFor } from './gateway.js';
import { freePort } from '../../../bench/free-port.js';
import { scratchDir } from './scratch-dir.js';

export const TARGETS = ['gateway', 'nginx', 'haproxy'] as const;
export type TargetName = (typeof TARGETS)[number];

/** One pool config for all three, with probes fast enough for tests; thresholds stay at their defaults. */
export const CONFORMANCE_CONFIG = {
  listen: { host: '127.0.0.1', port: 0 },
  healthCheck: { intervalMs: 250, timeoutMs: 200, fall: 2, rise: 2, jitter: 0 },
  proxy: { connectTimeoutMs: 500, headersTimeoutMs: 1_000 },
  log: { level: 'info', access: false },
};
const health = CONFORMANCE_CONFIG.healthCheck;
/** Time for active checks to notice a fault (interval × fall + timeout), tripled for a loaded machine. */
export const SETTLE_MS = (health.intervalMs * health.fall + health.timeoutMs) * 3;

export interface ProxyTarget {
  readonly name: TargetName;
  readonly url: string;
  stop(): Promise<void>;
}

/** Active checks off (backends always in rotation), for tests about something else that keep a machine busy. */
export const NO_PROBES = { healthCheck: { enabled: false } };

/**
 * Starts the target in front of the given backend URLs and waits until a GET /health through it answers 200.
 * `overrides` replaces whole sections of CONFORMANCE_CONFIG for every target alike.
 */
export async function startTarget(name: TargetName, backendUrls: readonly string[], overrides: Record<string, unknown> = {}): Promise<ProxyTarget> {
  return startWithConfig(name, { ...overrides, backends: [...backendUrls] }, async (url) => {
    const response = await request(`${url}/health`, { headersTimeout: 5_000 }).catch(() => undefined);
    await response?.body.dump();
    return response?.statusCode === 200;
  });
}

/** A request that reaches a backend once the target serves, e.g. one per route: a path, and the method and headers (Host) to send. */
export interface ReadyRequest {
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
}

/**
 * Starts the target with `pools` and `routes` (and any other sections) in place of `backends`, and waits until each
 * ready request is answered by a backend (x-backend-id), whatever its status: a stripped or unstripped path may
 * well be a 404 of the backend's own.
 */
export async function startRoutedTarget(name: TargetName, routing: Record<string, unknown>, ready: readonly ReadyRequest[]): Promise<ProxyTarget> {
  return startWithConfig(name, routing, async (url) => {
    for (const { path, method, headers } of ready) {
      const response = await request(`${url}${path}`, { method, headers, headersTimeout: 5_000 }).catch(() => undefined);
      await response?.body.dump();
      if (response?.headers['x-backend-id'] === undefined) return false;
    }
    return true;
  });
}

async function startWithConfig(name: TargetName, config: Record<string, unknown>, serving: (url: string) => Promise<boolean>): Promise<ProxyTarget> {
  const dir = scratchDir(`conformance-${name}`);
  // nginx workers drop root privileges to nobody and must still reach the temp dirs under the prefix.
  chmodSync(dir, 0o755);
  const configFile = join(dir, 'gateway.config.json');
  writeFileSync(configFile, JSON.stringify({ ...CONFORMANCE_CONFIG, ...config }));
  const target = await launch(name, dir, configFile);
  try {
    await waitFor(() => serving(target.url), 15_000, 50);
  } catch (error) {
    await target.stop();
    throw error;
  }
  return target;
}

async function launch(name: TargetName, dir: string, configFile: string): Promise<ProxyTarget> {
  if (name === 'gateway') {
    const gateway = await spawnGateway({ GATEWAY_CONFIG: configFile });
    return { name, url: gateway.url, stop: () => stopChild(gateway.child) };
  }
  const config = loadConfig({ file: configFile, env: {} });
  // A port freePort() released can be taken by a test running in parallel before the target binds it: try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnRendered(name, dir, config, await freePort());
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function spawnRendered(name: 'nginx' | 'haproxy', dir: string, config: GatewayConfig, port: number): Promise<ProxyTarget> {
  if (name === 'nginx') {
    writeFileSync(join(dir, 'nginx.conf'), renderNginx(config, { port, tlsPort: config.tls.port, h2cPort: config.http2.h2cPort }));
    const child = spawn('nginx', ['-p', dir, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    return started(name, child, port);
  }
  writeFileSync(join(dir, 'haproxy.cfg'), renderHaproxy(config, { port, statsPort: await freePort(), tlsPort: config.tls.port, h2cPort: config.http2.h2cPort }));
  const child = spawn('haproxy', ['-db', '-f', join(dir, 'haproxy.cfg')], { stdio: ['ignore', 'ignore', 'pipe'] });
  return started(name, child, port);
}

/** Waits until the child accepts connections on its port, or fails with what it printed when it exits first. */
async function started(name: TargetName, child: ChildProcess, port: number): Promise<ProxyTarget> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before listening: ${stderr}`);
      return accepts(port);
    }, 10_000, 25);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { name, url, stop: () => stopChild(child) };
}

/** SIGTERM (nginx and HAProxy stop at once and take their workers along), SIGKILL if that takes over 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

