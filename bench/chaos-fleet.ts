// The processes of a chaos run: demo backends that can be killed, restarted on the same port and frozen,
// and the gateway in front of them, whose state-change log lines are collected as they happen.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loopbackGatewayEnv } from './gateway-env.js';
import { failOnEarlyExit, startProcess, stopProcess, type Started } from './processes.js';
import { freePort } from './free-port.js';

const distDir = fileURLToPath(new URL('..', import.meta.url));

export interface ChaosBackend {
  id: string;
  port: number;
  process: Started | undefined;
}

/** A backend left or rejoined the pool, as the gateway logged it. */
export interface StateChange {
  atMs: number;
  backend: string;
  to: string;
  reason: string;
}

export interface ChaosGateway {
  /** Its process group (the gateway process leads it). */
  pgid: number;
  url: string;
  adminUrl: string;
  changes: StateChange[];
}

export function startBackend(backend: ChaosBackend): void {
  backend.process = startProcess(backend.id, process.execPath, [join(distDir, 'backends/src/server.js'), '--id', backend.id, '--port', String(backend.port)], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn' },
  });
}

/** One backend per id; the id is also its x-backend-id and, in the gateway's config, its backend id. */
export async function startBackends(ids: readonly string[]): Promise<ChaosBackend[]> {
  const backends: ChaosBackend[] = [];
  for (const id of ids) backends.push({ id, port: await freePort(), process: undefined });
  backends.forEach(startBackend);
  return backends;
}

export const originOf = (backend: ChaosBackend) => `http://127.0.0.1:${backend.port}`;

/** The single-pool gateway of every scenario but deploy: pool default, whose members the gateway names backend-1, -2, … as they name themselves. */
export function singlePoolEnv(backends: readonly ChaosBackend[]): Record<string, string> {
  return { GATEWAY_BACKENDS: backends.map(originOf).join(',') };
}

/** Signals the backend's whole process group (SIGKILL, SIGSTOP, SIGCONT). */
export function signalBackend(backend: ChaosBackend, signal: NodeJS.Signals): void {
  if (backend.process) process.kill(-backend.process.pgid, signal);
}

/** A backend that was killed is gone; stopping it again only reaps it. */
export async function reapBackend(backend: ChaosBackend): Promise<void> {
  if (backend.process) await stopProcess(backend.process);
  backend.process = undefined;
}

/**
 * Starts the gateway with retries on 500 as well: the chaos run's "50% 500s" backend is a failing
 * backend, not an application answer, and the run says so in its report. `env` holds its pools
 * (singlePoolEnv, or the deploy scenario's pools and routes) and any other GATEWAY_* settings.
 */
export async function startGateway(env: Record<string, string>, startedAt: () => number): Promise<ChaosGateway> {
  const gateway = startProcess('gateway', process.execPath, [join(distDir, 'gateway/src/cli.js'), 'start'], {
    // Not the repository root: its gateway.config.json (ports 3001-3003) would add its backends to the
    // deploy scenario's pools. dist/bench has no config file, so the run is made of the variables below alone.
    cwd: join(distDir, 'bench'),
    env: {
      ...loopbackGatewayEnv(),
      GATEWAY_RETRY_STATUSES: '500,502,503,504',
      GATEWAY_PASSIVE_HEALTH_STATUSES: '500,502,503,504',
      // The report is made from the gateway's log lines; an audit file would be left behind after every run.
      GATEWAY_AUDIT_FILE: '',
      ...env,
    },
  });
  const changes: StateChange[] = [];
  const listening = new Promise<{ port: number; adminPort: number }>((resolve) =>
    gateway.onLine((line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { msg?: string; port?: number; adminPort?: number; component?: string; backend?: string; to?: string; reason?: string };
      if (entry.msg === 'gateway listening') resolve({ port: entry.port!, adminPort: entry.adminPort! });
      if (entry.component === 'health' && entry.backend && entry.to) changes.push({ atMs: startedAt(), backend: entry.backend, to: entry.to, reason: entry.reason ?? '' });
    }),
  );
  const { port, adminPort } = await failOnEarlyExit(gateway, listening);
  return { pgid: gateway.pgid, url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}`, changes };
}

/** Waits until the gateway has every backend up (each starts unknown until its probes pass). */
export async function waitForPool(adminUrl: string, ids: readonly string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  let up = new Set<string>();
  while (ids.some((id) => !up.has(id))) {
    if (Date.now() > deadline) throw new Error(`the gateway did not have all of ${ids.join(', ')} up within 15 s (up: ${[...up].join(', ') || 'none'})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pool = (await fetch(`${adminUrl}/pool`).then((response) => response.json()).catch(() => ({}))) as { backends?: { id: string; state: string }[] };
    up = new Set((pool.backends ?? []).filter((backend) => backend.state === 'up').map((backend) => backend.id));
  }
}

/** Sets a backend's fault switches (PUT /faults). */
export async function setFaults(backend: ChaosBackend, faults: Record<string, number | boolean>): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${backend.port}/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  await response.arrayBuffer();
}
