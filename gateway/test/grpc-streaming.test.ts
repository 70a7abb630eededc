// Streaming gRPC calls through a grpc pool, with a @grpc/grpc-js client on the gateway's h2c port and two demo
// Greeter processes: client streaming and bidi carry thousands of messages written with back-pressure (the
// client waits for 'drain'), every message arrives once and in
// order (the Greeter numbers them), the status and the custom trailing metadata (x-backend-id) reach the client,
// and each streaming call is balanced on its own.
import { once } from 'node:events';
import { Metadata, type Client, type ClientDuplexStream, type ClientReadableStream, type ClientWritableStream, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import t from 'tap';
import type { HelloReply, HelloRequest } from '../../backends/src/grpc-protos.js';
import { startGreeterGateway } from './helpers/greeter-gateway.js';

const MESSAGES = 20_000;
const DEADLINE_MS = 90_000;

const { client } = await startGreeterGateway(t, 2);

const stub = client as Client & {
  SayHelloClientStream(metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, reply?: HelloReply) => void): ClientWritableStream<HelloRequest>;
  SayHelloStream(request: HelloRequest, metadata: Metadata, options: { deadline: number }): ClientReadableStream<HelloReply>;
  SayHelloBidi(metadata: Metadata, options: { deadline: number }): ClientDuplexStream<HelloRequest, HelloReply>;
};
const deadline = () => ({ deadline: Date.now() + DEADLINE_MS });
const trailerBackend = (status: StatusObject) => status.metadata.get('x-backend-id')[0] as string | undefined;

/** Writes Hello 0…count-1, waiting for 'drain' whenever the call's buffer is full; resolves how many waits there were. */
async function writeNumbered(call: ClientWritableStream<HelloRequest> | ClientDuplexStream<HelloRequest, HelloReply>, count: number): Promise<number> {
  let waits = 0;
  for (let i = 0; i < count; i++) {
    if (!call.write({ name: 'Hello', count: i })) {
      waits += 1;
      await once(call, 'drain');
    }
  }
  call.end();
  return waits;
}

/** Whether replies are numbered 0, 1, 2… with nothing missing, doubled or swapped. */
const inOrder = (counts: number[]) => counts.every((count, index) => count === index);

async function clientStream(count: number): Promise<{ error: ServiceError | null; reply?: HelloReply; status: StatusObject; waits: number }> {
  let settle!: (value: { error: ServiceError | null; reply?: HelloReply }) => void;
  const answered = new Promise<{ error: ServiceError | null; reply?: HelloReply }>((resolve) => (settle = resolve));
  const call = stub.SayHelloClientStream(new Metadata(), deadline(), (error, reply) => settle({ error, reply }));
  const status = once(call, 'status') as Promise<[StatusObject]>;
  const waits = await writeNumbered(call, count);
  return { ...(await answered), status: (await status)[0], waits };
}

t.test(`client streaming: ${MESSAGES} messages written with back-pressure all arrive, in order; trailers reach the client`, async (t) => {
  const { error, reply, status, waits } = await clientStream(MESSAGES);
  t.equal(error?.details, undefined, 'no error');
  t.same(reply, { message: 'World', count: MESSAGES }, 'the Greeter counted every Hello, each in its turn');
  t.ok(waits > 0, `the client waited for 'drain' ${waits} times`);
  t.equal(status.code, 0);
  t.match(trailerBackend(status), /^greeter-\d$/, 'the custom trailer x-backend-id reached the client');
});

t.test('client streaming: each call is balanced on its own, over one client channel', async (t) => {
  const backends = [];
  for (let i = 0; i < 4; i++) backends.push(trailerBackend((await clientStream(3)).status));
  t.same(new Set(backends), new Set(['greeter-1', 'greeter-2']), backends.join(' '));
});

t.test(`bidi: ${MESSAGES / 4} messages each way, written with back-pressure while replies are read; order kept`, async (t) => {
  const count = MESSAGES / 4;
  const call = stub.SayHelloBidi(new Metadata(), deadline());
  const counts: number[] = [];
  call.on('data', (reply: HelloReply) => counts.push(reply.count ?? -1));
  const status = once(call, 'status') as Promise<[StatusObject]>;
  await writeNumbered(call, count);
  const [{ code, metadata }] = await status;
  t.equal(code, 0);
  t.equal(counts.length, count);
  t.ok(inOrder(counts), 'each reply carries its request number, in order');
  t.match(metadata.get('x-backend-id')[0], /^greeter-\d$/);
});
