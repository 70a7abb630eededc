#!/usr/bin/env node
// The `gateway` command: start | check. Configuration mistakes exit 2 with one line naming the key.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { runGateway } from './server.js';

const USAGE = `usage: gateway <command> [--config FILE]
  start   run the gateway (default command)
  check   validate the configuration and exit (0 valid, 2 invalid)
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
if (command !== 'start' && command !== 'check') fail(`unknown command "${command}"\n${USAGE}`, 2);

let config: GatewayConfig;
try {
  config = loadConfig({ file: parsed.values.config });
} catch (error) {
  if (error instanceof ConfigError) fail(`invalid config: ${error.message}`, 2);
  throw error;
}

if (command === 'check') {
  process.stdout.write(`config ok: ${config.backends.length} backend(s), traffic on ${config.listen.host}:${config.listen.port}\n`);
} else {
  await runGateway(config);
}
