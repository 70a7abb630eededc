// Real demo backends for tests: the backends/ Fastify app listening on 127.0.0.1, port 0 by default.
// stop() closes the listener and every connection (clients then see "refused"); start() listens again on the same port.
import type { FastifyInstance } from 'fastify';
import { buildBackendApp } from '../../../backends/src/app.js';

export interface TestBackend {
  readonly id: string;
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBackend(id: string, port = 0): Promise<TestBackend> {
  let app: FastifyInstance | undefined;
  let boundPort = port;
  const backend = {
    id,
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    async start() {
      app = buildBackendApp({ id });
      await app.listen({ host: '127.0.0.1', port: boundPort });
      boundPort = (app.server.address() as { port: number }).port;
    },
    async stop() {
      if (!app) return;
      const closing = app;
      app = undefined;
      closing.server.closeAllConnections();
      await closing.close();
    },
  };
  await backend.start();
  return backend;
}

export async function startBackends(count: number): Promise<TestBackend[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => startBackend(`backend-${index + 1}`)));
}
