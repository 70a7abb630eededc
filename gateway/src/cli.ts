#!/usr/bin/env node
// The `gateway` command: start | check | render. Configuration mistakes exit 2 with one line naming the key.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { checkAccessFile } from './observability/logger.js';
import { resolvePools, resolveRoutes } from './config-pools.js';
import { isRenderTarget, renderTarget, RENDER_TARGETS, type RenderTarget } from './render/render-target.js';
import { RenderError } from './render/pool-settings.js';
import { runGateway } from './server.js';
import { checkCertificates } from './tls/certificate.js';

const USAGE = `usage: gateway <command> [--config FILE]
  start   run the gateway (default command)
  check   validate the configuration and exit (0 valid, 2 invalid)
  render nginx|haproxy   print an equivalent nginx.conf or haproxy.cfg for the same pool
The config file defaults to ./gateway.config.json when present; GATEWAY_* variables override it.`;

function fail(message: string, code: number): never {
  process.stderr.write(`gateway: ${message}\n`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (parsed.values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const command = parsed.positionals[0] ?? 'start';
if (command !== 'start' && command !== 'check' && command !== 'render') fail(`unknown command "${command}"\n${USAGE}`, 2);
const target = parsed.positionals[1];
if (command === 'render' && !isRenderTarget(target)) fail(`render needs a target: ${RENDER_TARGETS.join(' or ')}, got ${JSON.stringify(target ?? '')}\n${USAGE}`, 2);

let config: GatewayConfig;
try {
  config = loadConfig({ file: parsed.values.config });
  // Certificates are files the schema does not read: a bad one is a config error too, not a crash at listen.
  if (command !== 'render') checkCertificates(config.tls);
  if (command !== 'render') checkAccessFile(config.log.accessFile);
} catch (error) {
  if (error instanceof ConfigError) fail(`invalid config: ${error.message}`, 2);
  throw error;
}

if (command === 'render') {
  try {
    process.stdout.write(renderTarget(target as RenderTarget, config));
  } catch (error) {
    if (error instanceof RenderError) fail(`cannot render ${target}: ${error.message}`, 2);
    throw error;
  }
} else if (command === 'check') {
  const pools = resolvePools(config);
  const backends = pools.reduce((sum, pool) => sum + pool.backends.length, 0);
  process.stdout.write(`config ok: ${backends} backend(s) in ${pools.length} pool(s) (${pools.map((pool) => pool.name).join(', ')}), ${resolveRoutes(config).length} route(s), traffic on ${config.listen.host}:${config.listen.port}\n`);
} else {
  await runGateway(config, () => loadConfig({ file: parsed.values.config }));
}
