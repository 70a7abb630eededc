// A backend that ends a client-streaming call early: the Greeter refuses the first message out of order with
// INVALID_ARGUMENT while the @grpc/grpc-js client is still writing (with back-pressure, for as long as the call
// lasts). The status, its message and the custom trailer must reach the client at once, through the gateway,
// not at the deadline and not after the client has written everything; and the gateway serves the next call.
import { once } from 'node:events';
import { Metadata, status as grpcStatus, type Client, type ClientWritableStream, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import t from 'tap';
import type { HelloReply, HelloRequest } from '../../backends/src/grpc-protos.js';
import { startGreeterGateway } from './helpers/greeter-gateway.js';

const BAD_MESSAGE = 100;
const MOST_MESSAGES = 500_000;
const DEADLINE_MS = 60_000;

const { client } = await startGreeterGateway(t, 2);
const stub = client as Client & {
  SayHelloClientStream(metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, reply?: HelloReply) => void): ClientWritableStream<HelloRequest>;
};

t.test('the backend refuses message 100 mid-stream: the client gets INVALID_ARGUMENT while still writing', async (t) => {
  const startedAt = Date.now();
  let answered: ServiceError | null | undefined;
  const call = stub.SayHelloClientStream(new Metadata(), { deadline: startedAt + DEADLINE_MS }, (error) => (answered = error));
  const status = once(call, 'status') as Promise<[StatusObject]>;
  let ended = false;
  void status.then(() => (ended = true));
  let written = 0;
  // Writes until the call ends; every message is numbered in order except message 100.
  while (!ended && written < MOST_MESSAGES) {
    const ok = call.write(written === BAD_MESSAGE ? { name: 'Bye', count: written } : { name: 'Hello', count: written });
    written += 1;
    if (!ok) await Promise.race([once(call, 'drain'), status]);
  }
  const [{ code, details, metadata }] = await status;
  t.equal(code, grpcStatus.INVALID_ARGUMENT, `status ${code} (${details})`);
  t.match(details, new RegExp(`^message ${BAD_MESSAGE}:`), 'the backend\'s message reached the client');
  t.equal(answered?.code, grpcStatus.INVALID_ARGUMENT, 'the callback got the error');
  t.match(metadata.get('x-backend-id')[0], /^greeter-\d$/, 'with the custom trailer');
  t.ok(written < MOST_MESSAGES, `the client was still writing when the status came (${written} messages written)`);
  t.ok(Date.now() - startedAt < DEADLINE_MS / 2, `answered in ${Date.now() - startedAt} ms, long before the deadline`);
  call.end();
});

t.test('the next call through the same channel is served', async (t) => {
  const reply = await new Promise<HelloReply | undefined>((resolve, reject) => {
    const call = stub.SayHelloClientStream(new Metadata(), { deadline: Date.now() + DEADLINE_MS }, (error, value) => (error ? reject(error) : resolve(value)));
    for (let i = 0; i < 3; i++) call.write({ name: 'Hello', count: i });
    call.end();
  });
  t.same(reply, { message: 'World', count: 3 });
});
