// gRPC through a pool with protocol grpc, with @grpc/grpc-js as the client on the gateway's h2c port and three
// demo Greeter processes behind it: unary calls are balanced per call (one client channel reaches all three),
// server-streaming and bidi calls pass through whole, and the backend's trailers (x-backend-id) reach the client.
import { Metadata, type Client, type ClientDuplexStream, type ClientReadableStream } from '@grpc/grpc-js';
import t from 'tap';
import { sayHello } from './helpers/greeter-client.js';
import { startGreeterGateway } from './helpers/greeter-gateway.js';

const { client } = await startGreeterGateway(t, 3);

interface StreamOutcome {
  messages: string[];
  code: number;
  trailerBackend: string | undefined;
}

function collect(call: ClientReadableStream<{ message: string }> | ClientDuplexStream<unknown, { message: string }>): Promise<StreamOutcome> {
  const messages: string[] = [];
  return new Promise((resolve) => {
    call.on('data', (reply: { message: string }) => messages.push(reply.message));
    call.on('error', () => {});
    call.on('status', (status: { code: number; metadata: Metadata }) => resolve({ messages, code: status.code, trailerBackend: status.metadata.get('x-backend-id')[0] as string | undefined }));
  });
}

const stub = client as Client & {
  SayHelloStream(request: { name: string; count: number }, metadata: Metadata, options: { deadline: number }): ClientReadableStream<{ message: string }>;
  SayHelloBidi(metadata: Metadata, options: { deadline: number }): ClientDuplexStream<{ name: string }, { message: string }>;
};

t.test('unary: World, and six calls on one channel go round the three backends', async (t) => {
  const outcomes = [];
  for (let i = 0; i < 6; i++) outcomes.push(await sayHello(client));
  t.same(outcomes.map((outcome) => [outcome.code, outcome.message]), Array(6).fill([0, 'World']));
  const backends = outcomes.map((outcome) => outcome.backend);
  t.same(new Set(backends), new Set(['greeter-1', 'greeter-2', 'greeter-3']), `balanced per call, not per connection: ${backends.join(' ')}`);
  t.equal(backends[0], backends[3], 'round-robin order');
});

t.test('server streaming: every message, then the status and the trailers', async (t) => {
  const outcome = await collect(stub.SayHelloStream({ name: 'Hello', count: 200 }, new Metadata(), { deadline: Date.now() + 10_000 }));
  t.equal(outcome.code, 0);
  t.equal(outcome.messages.length, 200);
  t.match(outcome.trailerBackend, /^greeter-\d$/, 'the custom trailer x-backend-id reached the client');
});

t.test('bidi: replies come back while the client is still sending', async (t) => {
  const call = stub.SayHelloBidi(new Metadata(), { deadline: Date.now() + 10_000 });
  const outcome = collect(call);
  // Each message waits for the previous reply: a gateway that read the body whole first would hang here.
  let replies = 0;
  for (let i = 0; i < 5; i++) {
    const reply = new Promise((resolve) => call.once('data', resolve));
    call.write({ name: 'Hello' });
    await reply;
    replies += 1;
  }
  call.end();
  const { code, messages, trailerBackend } = await outcome;
  t.equal(replies, 5, 'each reply arrived before the next message was sent');
  t.equal(code, 0);
  t.equal(messages.length, 5);
  t.match(trailerBackend, /^greeter-\d$/, 'the trailers arrived');
});

t.test('an error status from the backend reaches the client as it is', async (t) => {
  const outcome = await collect(stub.SayHelloStream({ name: 'Bonjour', count: 1 }, new Metadata(), { deadline: Date.now() + 10_000 }));
  t.equal(outcome.code, 3, 'INVALID_ARGUMENT from the Greeter');
});
