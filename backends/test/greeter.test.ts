// The demo Greeter as a real process, called with @grpc/grpc-js: "Hello" → "World" with its id in the metadata,
// anything else INVALID_ARGUMENT; the streaming methods answer one "World" per reply asked or per "Hello" sent.
import { Metadata, status, type Client, type ClientDuplexStream, type ClientReadableStream } from '@grpc/grpc-js';
import t from 'tap';
import { greeterClient, sayHello } from '../../gateway/test/helpers/greeter-client.js';
import { spawnGreeter } from '../../gateway/test/helpers/greeter-processes.js';
import type { HelloReply, HelloRequest } from '../src/grpc-protos.js';

type Streaming = {
  SayHelloStream(request: HelloRequest, metadata: Metadata, options: { deadline: number }): ClientReadableStream<HelloReply>;
  SayHelloBidi(metadata: Metadata, options: { deadline: number }): ClientDuplexStream<HelloRequest, HelloReply>;
};

t.test('Greeter', async (t) => {
  const greeter = await spawnGreeter('greeter-7');
  const client = greeterClient(greeter.address);
  t.teardown(async () => {
    client.close();
    await greeter.kill();
  });

  t.same(await sayHello(client), { code: 0, message: 'World', backend: 'greeter-7' }, 'SayHello("Hello") is "World", from greeter-7');
  const wrong = await sayHello(client, 'Bonjour');
  t.equal(wrong.code, status.INVALID_ARGUMENT, 'another name is INVALID_ARGUMENT');
  t.match(wrong.details, /"Hello"/, 'and says what to send');

  const stream = (client as unknown as Streaming).SayHelloStream({ name: 'Hello', count: 500 }, new Metadata(), { deadline: Date.now() + 10_000 });
  const trailers = new Promise<Metadata>((resolve) => stream.on('status', (s: { metadata: Metadata }) => resolve(s.metadata)));
  let replies = 0;
  for await (const reply of stream as AsyncIterable<HelloReply>) if (reply.message === 'World') replies++;
  t.equal(replies, 500, 'SayHelloStream sends count replies');
  t.same((await trailers).get('x-backend-id'), ['greeter-7'], 'and its id in the trailers');

  const bidi = (client as unknown as Streaming).SayHelloBidi(new Metadata(), { deadline: Date.now() + 10_000 });
  const echoed: string[] = [];
  for (let sent = 0; sent < 3; sent++) {
    bidi.write({ name: 'Hello', count: 0 });
    // Each answer arrives before the next "Hello" is sent: the replies are not batched at the end.
    const [reply] = (await new Promise<HelloReply[]>((resolve) => bidi.once('data', (data: HelloReply) => resolve([data])))) as [HelloReply];
    echoed.push(reply.message);
  }
  bidi.end();
  await new Promise((resolve) => bidi.on('status', resolve));
  t.same(echoed, ['World', 'World', 'World'], 'SayHelloBidi answers each "Hello" as it arrives');
});

t.test('a Greeter whose port is taken exits instead of serving', async (t) => {
  const first = await spawnGreeter('greeter-a');
  t.teardown(() => first.kill());
  await t.rejects(spawnGreeter('greeter-b', { port: first.port }), /exited before listening/);
});
