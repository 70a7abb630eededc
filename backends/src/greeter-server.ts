// Process entry for one demo gRPC Greeter: `node dist/backends/src/greeter-server.js --id greeter-1 --port 50051`.
// Flags win over BACKEND_ID / PORT / HOST; --tls-cert and --tls-key serve TLS instead of h2c. It logs
// "Greeter listening at HOST:PORT" once bound. SIGTERM and SIGINT finish the calls in flight and exit 0.
// With `--register ADMIN_URL` (or GATEWAY_ADMIN_URL) and GATEWAY_ADMIN_TOKEN it registers with the gateway like
// the HTTP backend does (into `--pool NAME`, or GATEWAY_POOL), heartbeats, and deregisters before stopping.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { buildGreeterServer } from './greeter-app.js';
import { GatewayRegistration } from './register.js';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    register: { type: 'string' },
    advertise: { type: 'string' },
    pool: { type: 'string' },
  },
});

const id = values.id ?? process.env.BACKEND_ID ?? 'greeter-1';
const port = Number(values.port ?? process.env.PORT ?? 50051);
const host = values.host ?? process.env.HOST ?? '127.0.0.1';
const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { id } });
function refuse(message: string): never {
  process.stderr.write(`greeter: ${message}\n`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) refuse(`--port must be an integer from 0 to 65535, got ${JSON.stringify(values.port ?? process.env.PORT)}`);
if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) refuse('--tls-cert and --tls-key go together');
const adminUrl = values.register ?? process.env.GATEWAY_ADMIN_URL;
const token = process.env.GATEWAY_ADMIN_TOKEN;
if (adminUrl !== undefined && (!URL.canParse(adminUrl) || !token)) {
  refuse(`--register needs the gateway's admin URL (got ${JSON.stringify(adminUrl)}) and GATEWAY_ADMIN_TOKEN set`);
}

const tls = values['tls-cert'] === undefined ? undefined : { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']!) };
const greeter = buildGreeterServer({
  id,
  onCrash: () => {
    log.fatal('crashing on request (greeterdemo.Faults/Set {crash: true})');
    process.exit(1);
  },
});
const boundPort = await greeter.listen(host, port, tls).catch((error: Error) => refuse(`cannot listen on ${host}:${port}: ${error.message}`));
log.info(`Greeter listening at ${host}:${boundPort}${tls === undefined ? ' (h2c)' : ' (TLS)'}`);

const scheme = tls === undefined ? 'http' : 'https';
const advertised = values.advertise ?? process.env.BACKEND_URL ?? `${scheme}://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${boundPort}`;
const pool = values.pool ?? process.env.GATEWAY_POOL;
const registration = adminUrl === undefined ? undefined : new GatewayRegistration({ adminUrl, token: token!, url: advertised, pool, log });
registration?.start();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    // Deregister first: the gateway stops sending new calls while this one finishes those in flight.
    void (registration?.stop() ?? Promise.resolve())
      .then(() => new Promise<void>((resolve) => greeter.server.tryShutdown(() => resolve())))
      .then(() => process.exit(0), () => process.exit(1));
  });
}
