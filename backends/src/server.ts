// Process entry for one demo backend: `node dist/backends/src/server.js --id backend-1 --port 3001`.
// Flags win over BACKEND_ID / PORT / HOST; SIGTERM and SIGINT close the listener and exit 0.
import { parseArgs } from 'node:util';
import { buildBackendApp } from './app.js';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
  },
});

const id = values.id ?? process.env.BACKEND_ID ?? 'backend-1';
const port = Number(values.port ?? process.env.PORT ?? 3001);
const host = values.host ?? process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`backend: --port must be an integer from 0 to 65535, got ${JSON.stringify(values.port ?? process.env.PORT)}\n`);
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

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info({ signal }, 'stopping');
    app.close().then(() => process.exit(0), () => process.exit(1));
  });
}
