// Runs a gateway as this process: listen, then on SIGTERM/SIGINT finish in-flight requests within the
// grace period and exit 0; a second signal, or the grace period running out, forces the exit. SIGHUP reloads
// the config (pools and routes); a bad file is logged in one line and changes nothing. With workers > 1 this
// process is the primary (gateway/src/workers/): its workers serve traffic, SIGUSR2 replaces them one by one.
import closeWithGrace from 'close-with-grace';
import { buildGateway } from './app.js';
import type { GatewayConfig } from './config.js';
import { workerCount } from './config-schema-workers.js';
import { createLogger } from './observability/logger.js';
import { Primary } from './workers/primary.js';

export async function runGateway(config: GatewayConfig, reloadConfig: () => GatewayConfig): Promise<void> {
  const logger = createLogger(config.log.level);
  const primary = workerCount(config.workers) > 1 ? new Primary(config, logger) : undefined;
  const gateway = await buildGateway(config, logger, { reloadConfig: primary?.following(reloadConfig) ?? reloadConfig, role: primary?.role });
  primary?.attach(gateway);
  try {
    await gateway.listen();
  } catch (error) {
    // Node names the address that failed: the traffic listener's (in a worker, passed on) or the admin listener's.
    const { code, message, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    const where = address !== undefined ? `${address}:${port}` : `${config.listen.host}:${config.listen.port}`;
    process.stderr.write(`gateway: cannot listen on ${where}: ${code ?? message}\n`);
    process.exit(1);
  }
  process.on('SIGHUP', () => gateway.reload('SIGHUP'));
  if (primary) process.on('SIGUSR2', () => primary.restart('SIGUSR2'));
  // SIGHUP is a reload here and SIGUSR2 a rolling restart, not close-with-grace's stop signals.
  closeWithGrace({ delay: config.shutdown.graceMs, skip: ['SIGHUP', 'SIGUSR2'] }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an unexpected error');
    else logger.info({ signal, graceMs: config.shutdown.graceMs }, 'stopping: finishing in-flight requests');
    await primary?.stop();
    await gateway.close();
    logger.info('stopped');
  });
}
