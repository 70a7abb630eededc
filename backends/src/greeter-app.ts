// The demo RPC service behind the gateway: helloworld.Greeter says "World" to "Hello", with this backend's id in
// the response metadata (x-backend-id, in the headers and again in the trailers), beside the standard health
// service and the fault switches. The streaming methods (server, client, bidi) respect back-pressure and number
// their messages, for the gateway's pass-through tests.
import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerDuplexStream, type ServerErrorResponse, type ServerReadableStream, type ServerUnaryCall, type ServerWritableStream } from '@grpc/grpc-js';
import { once } from 'node:events';
import { GreeterFaults } from './greeter-faults.js';
import { healthImplementation } from './greeter-health.js';
import { Faults, Greeter, Health, type HelloReply, type HelloRequest } from './grpc-protos.js';

export interface GreeterOptions {
  /** Sent back with every call as `x-backend-id`, so a client can see the rotation. */
  id: string;
  /** What the crash switch does; the process entry exits, tests shut the server down. */
  onCrash?: () => void;
}

/** Replies of SayHelloStream when the request asks for none, and the most it may ask for. */
const DEFAULT_STREAM_COUNT = 3;
const MAX_STREAM_COUNT = 1_000_000;
const NOT_HELLO = 'send the name "Hello" to get "World"';

export interface GreeterServer {
  readonly server: Server;
  readonly faults: GreeterFaults;
  /** Binds host:port (0 picks a free port) in cleartext (h2c) or with the given certificate; resolves the port. */
  listen(host: string, port: number, tls?: { cert: Buffer; key: Buffer }): Promise<number>;
}

export function buildGreeterServer(options: GreeterOptions): GreeterServer {
  const server = new Server();
  const faults = new GreeterFaults(options.onCrash ?? (() => server.forceShutdown()));
  const metadata = new Metadata();
  metadata.set('x-backend-id', options.id);

  /** Runs the fault switches, then the call; false when the call was answered (an injected error) or left hanging. */
  async function admitted(fail: (error: ServerErrorResponse) => void): Promise<boolean> {
    const gate = await faults.gate();
    if (gate.action === 'fail') fail({ ...gate.error, metadata: metadata.clone() });
    return gate.action === 'serve';
  }

  server.addService(Greeter.service, {
    SayHello: async (call: ServerUnaryCall<HelloRequest, HelloReply>, callback: sendUnaryData<HelloReply>) => {
      call.sendMetadata(metadata.clone());
      if (!(await admitted((error) => callback(error)))) return;
      if (call.request.name !== 'Hello') return callback({ code: status.INVALID_ARGUMENT, details: NOT_HELLO, metadata: metadata.clone() });
      callback(null, { message: 'World' }, metadata.clone());
    },
    SayHelloStream: async (call: ServerWritableStream<HelloRequest, HelloReply>) => {
      call.sendMetadata(metadata.clone());
      if (!(await admitted((error) => call.emit('error', error)))) return;
      const count = call.request.count === 0 ? DEFAULT_STREAM_COUNT : call.request.count;
      if (call.request.name !== 'Hello' || count < 0 || count > MAX_STREAM_COUNT) {
        return call.emit('error', { code: status.INVALID_ARGUMENT, details: `${NOT_HELLO}, count from 0 to ${MAX_STREAM_COUNT}` });
      }
      for (let sent = 0; sent < count && !call.cancelled; sent++) {
        if (!call.write({ message: 'World', count: sent })) await once(call, 'drain');
      }
      call.end(metadata.clone());
    },
    SayHelloBidi: async (call: ServerDuplexStream<HelloRequest, HelloReply>) => {
      call.sendMetadata(metadata.clone());
      if (!(await admitted((error) => call.emit('error', error)))) return;
      // Events rather than for-await: grpc-js ends the async iterator of a server duplex stream late or never.
      call.on('data', (request: HelloRequest) => {
        if (request.name !== 'Hello') return call.emit('error', { code: status.INVALID_ARGUMENT, details: NOT_HELLO });
        // Back-pressure: stop reading the client while our replies are not being taken.
        if (!call.write({ message: 'World', count: request.count })) {
          call.pause();
          call.once('drain', () => call.resume());
        }
      });
      call.on('end', () => call.end(metadata.clone()));
    },
    SayHelloClientStream: async (call: ServerReadableStream<HelloRequest, HelloReply>, callback: sendUnaryData<HelloReply>) => {
      call.sendMetadata(metadata.clone());
      if (!(await admitted((error) => callback(error)))) return;
      let received = 0;
      let refused = false;
      call.on('data', (request: HelloRequest) => {
        if (refused) return;
        if (request.name === 'Hello' && request.count === received) {
          received += 1;
          return;
        }
        refused = true;
        callback({ code: status.INVALID_ARGUMENT, details: `message ${received}: ${NOT_HELLO}, numbered ${received} (in order), got ${JSON.stringify(request)}`, metadata: metadata.clone() });
      });
      call.on('end', () => {
        if (!refused) callback(null, { message: 'World', count: received }, metadata.clone());
      });
    },
  });
  server.addService(Health.service, healthImplementation(faults));
  server.addService(Faults.service, faults.implementation());

  return {
    server,
    faults,
    listen(host, port, tls) {
      const credentials = tls === undefined
        ? ServerCredentials.createInsecure()
        : ServerCredentials.createSsl(null, [{ cert_chain: tls.cert, private_key: tls.key }]);
      const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
      return new Promise((resolve, reject) => {
        server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
      });
    },
  };
}
