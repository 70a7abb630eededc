// Runs a gateway as this process: listen, then on SIGTERM/SIGINT finish in-flight requests within the
// grace period and exit 0; a second signal, or the grace period running out, forces the exit. SIGHUP reloads
// the config (pools and routes); a bad file is logged in one line and changes nothing.
import closeWithGrace from 'close-with-grace';
import { buildGateway } from './app.js';
import type { GatewayConfig } from './config.js';
import { createLogger } from './observability/logger.js';

export async function runGateway(config: GatewayConfig, reloadConfig: () => GatewayConfig): Promise<void> {
  const logger = createLogger(config.log.level);
  const gateway = await buildGateway(config, logger, { reloadConfig });
  try {
    await gateway.listen();
  } catch (error) {
    // Node names the address that failed: the traffic listener's or the admin listener's.
    const { code, message, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    const where = address !== undefined ? `${address}:${port}` : `${config.listen.host}:${config.listen.port}`;
    process.stderr.write(`gateway: cannot listen on ${where}: ${code ?? message}\n`);
    process.exit(1);
  }
  process.on('SIGHUP', () => gateway.reload('SIGHUP'));
  // SIGHUP is a reload here, not one of close-with-grace's stop signals.
  closeWithGrace({ delay: config.shutdown.graceMs, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an unexpected error');
    else logger.info({ signal, graceMs: config.shutdown.graceMs }, 'stopping: finishing in-flight requests');
    await gateway.close();
    logger.info('stopped');
  });
}
