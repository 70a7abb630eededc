// The demo service behind the gateway: the client says "Hello", this server answers "World".
// Besides /hello it exposes what tests and benchmarks need to see a proxy from the far side:
// its identity, the headers it received, and byte streams of any size in both directions.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { installFaults } from './faults.js';

export interface BackendAppOptions {
  /** Sent back in every response as `x-backend-id`, so a client can see the rotation. */
  id: string;
  /** Pino logger options; false keeps the demo quiet (tests, benchmarks). */
  logger?: boolean | { level: string };
  /** What PUT /faults {"crash": true} does; the process entry exits, tests close the server. */
  onCrash?: () => void;
}

/** Largest `/download?bytes=` a client may ask for: 1 GiB keeps a typo from filling a disk. */
const MAX_DOWNLOAD_BYTES = 1024 ** 3;
const DOWNLOAD_CHUNK = Buffer.alloc(64 * 1024, 'x');

export function buildBackendApp(options: BackendAppOptions): FastifyInstance {
  const app = Fastify({ logger: options.logger ?? false, logController: new LogController({ disableRequestLogging: true }) });
  const id = options.id;

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-backend-id', id);
  });
  // Uploads arrive as a raw stream so /upload can count bytes of any size without buffering;
  // any other body is text, so `curl --data Hello` (a form content type) is understood too.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  installFaults(app, { onCrash: options.onCrash ?? (() => void app.close()) });

  app.get('/hello', async (_request, reply) => {
    reply.type('text/plain');
    return 'World';
  });

  app.post('/hello', async (request, reply) => {
    const said = typeof request.body === 'string' ? request.body.trim() : '';
    if (said !== 'Hello') {
      reply.code(400);
      return { error: 'expected_hello', message: 'send the text "Hello" to get "World"' };
    }
    reply.type('text/plain');
    return 'World';
  });

  app.get('/health', async () => ({ status: 'ok', id }));

  app.get('/whoami', async () => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : null;
    return { id, port, pid: process.pid };
  });

  app.all('/headers', async (request) => ({ method: request.method, url: request.url, headers: request.headers }));

  app.post('/upload', async (request) => {
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of request.body as Readable) {
      bytes += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    return { bytes, sha256: hash.digest('hex') };
  });

  app.get<{ Querystring: { bytes?: string } }>('/download', async (request, reply) => {
    const bytes = Number(request.query.bytes ?? 0);
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_DOWNLOAD_BYTES) {
      reply.code(400);
      return { error: 'bad_bytes', message: `bytes must be an integer from 0 to ${MAX_DOWNLOAD_BYTES}` };
    }
    reply.type('application/octet-stream').header('content-length', bytes);
    return Readable.from(downloadChunks(bytes));
  });

  return app;
}

function* downloadChunks(total: number): Generator<Buffer> {
  let left = total;
  while (left > 0) {
    const size = Math.min(left, DOWNLOAD_CHUNK.length);
    yield size === DOWNLOAD_CHUNK.length ? DOWNLOAD_CHUNK : DOWNLOAD_CHUNK.subarray(0, size);
    left -= size;
  }
}
