// An in-process gateway on 127.0.0.1:0 with fast health checks, built from the same config schema users write.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { buildGateway, type Gateway } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { scratchDir } from './scratch-dir.js';

/** Probe every 200 ms so tests see flips quickly, with a timeout a busy 2-core machine still meets. */
export const FAST_HEALTH = { intervalMs: 200, timeoutMs: 150, jitter: 0 };

export interface TestGateway {
  gateway: Gateway;
  url: string;
  /** The config file it was started from; rewrite it, then reload. */
  configFile: string;
  /** The admin listener, also on 127.0.0.1:0. */
  adminUrl: string;
  /** The TLS listener's port when tls.enabled. */
  tlsPort: number | undefined;
  /** The h2c listener's port when http2.h2cPort is set. */
  h2cPort: number | undefined;
  close(): Promise<void>;
}

/** logger: where the gateway's log lines go (silent when unset), for tests that assert on them. */
export async function startGateway(config: Record<string, unknown>, logger: Logger = pino({ level: 'silent' })): Promise<TestGateway> {
  const { healthCheck, ...rest } = config as { healthCheck?: Record<string, unknown> };
  const merged = {
    listen: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent', access: false },
    // Never the default admin port (tests run in parallel) nor an audit file in the working tree.
    admin: { host: '127.0.0.1', port: 0 },
    audit: { file: join(scratchDir('gateway-audit'), 'audit.jsonl') },
    ...rest,
    healthCheck: { ...FAST_HEALTH, ...healthCheck },
  };
  const configFile = writeConfig(merged);
  const reloadConfig = () => loadConfig({ file: configFile, env: {} });
  const gateway = await buildGateway(reloadConfig(), logger, { reloadConfig });
  const { port, admin, tls, h2c } = await gateway.listen();
  return { gateway, url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${admin.port}`, tlsPort: tls?.port, h2cPort: h2c?.port, configFile, close: () => gateway.close() };
}

function writeConfig(config: unknown): string {
  const file = join(scratchDir('gateway-test'), 'gateway.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Polls until check() is true or the deadline passes; resolves with the elapsed milliseconds. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, stepMs = 20): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return Date.now() - started;
}
