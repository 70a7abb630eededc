// Process entry for one demo backend: `node dist/backends/src/server.js --id backend-1 --port 3001`.
// Flags win over BACKEND_ID / PORT / HOST; SIGTERM and SIGINT close the listener and exit 0.
// With `--register ADMIN_URL` (or GATEWAY_ADMIN_URL) and GATEWAY_ADMIN_TOKEN it registers with the gateway
// (into `--pool NAME`, or GATEWAY_POOL, else the default pool), heartbeats, and deregisters before stopping.
import { parseArgs } from 'node:util';
import { buildBackendApp } from './app.js';
import { GatewayRegistration } from './register.js';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    register: { type: 'string' },
    advertise: { type: 'string' },
    pool: { type: 'string' },
  },
});

const id = values.id ?? process.env.BACKEND_ID ?? 'backend-1';
const port = Number(values.port ?? process.env.PORT ?? 3001);
const host = values.host ?? process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`backend: --port must be an integer from 0 to 65535, got ${JSON.stringify(values.port ?? process.env.PORT)}\n`);
  process.exit(2);
}

const adminUrl = values.register ?? process.env.GATEWAY_ADMIN_URL;
const token = process.env.GATEWAY_ADMIN_TOKEN;
if (adminUrl !== undefined && (!URL.canParse(adminUrl) || !token)) {
  process.stderr.write(`backend: --register needs the gateway's admin URL (got ${JSON.stringify(adminUrl)}) and GATEWAY_ADMIN_TOKEN set\n`);
  process.exit(2);
}

const app = buildBackendApp({
  id,
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
  onCrash: () => {
    app.log.fatal('crashing on request (PUT /faults {"crash": true})');
    process.exit(1);
  },
});
await app.listen({ port, host });

// The gateway must reach this origin: a wildcard bind is announced on loopback unless --advertise says otherwise.
const boundPort = (app.server.address() as { port: number }).port;
const advertised = values.advertise ?? process.env.BACKEND_URL ?? `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${boundPort}`;
const pool = values.pool ?? process.env.GATEWAY_POOL;
const registration = adminUrl === undefined ? undefined : new GatewayRegistration({ adminUrl, token: token!, url: advertised, pool, log: app.log });
registration?.start();

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'stopping');
    // Deregister first: the gateway stops sending new requests while this one finishes those in flight.
    void (registration?.stop() ?? Promise.resolve())
      .then(() => app.close())
      .then(() => process.exit(0), () => process.exit(1));
  });
}
