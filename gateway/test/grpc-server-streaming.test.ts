// Server streaming through a grpc pool to a @grpc/grpc-js client that reads slowly: the Greeter sends 20,000
// numbered replies as fast as flow control lets it, the client pauses for a while every few hundred, so the
// gateway's stream to the backend is paused with DATA buffered behind it when the backend's trailers arrive.
// Every reply must reach the client, once and in order, before the status and the custom trailer.
// (undici's HTTP/2 client lost the tail here: it ended the response on the trailers.)
import { once } from 'node:events';
import { Metadata, type Client, type ClientReadableStream, type StatusObject } from '@grpc/grpc-js';
import t from 'tap';
import type { HelloReply, HelloRequest } from '../../backends/src/grpc-protos.js';
import { startGreeterGateway } from './helpers/greeter-gateway.js';

const REPLIES = 20_000;
const PAUSE_EVERY = 500;
const PAUSE_MS = 20;

const { client } = await startGreeterGateway(t, 2);
const stub = client as Client & {
  SayHelloStream(request: HelloRequest, metadata: Metadata, options: { deadline: number }): ClientReadableStream<HelloReply>;
};

async function slowRead(count: number): Promise<{ counts: number[]; status: StatusObject }> {
  const call = stub.SayHelloStream({ name: 'Hello', count }, new Metadata(), { deadline: Date.now() + 90_000 });
  const counts: number[] = [];
  call.on('data', (reply: HelloReply) => {
    counts.push(reply.count ?? -1);
    if (counts.length % PAUSE_EVERY === 0) {
      call.pause();
      setTimeout(() => call.resume(), PAUSE_MS);
    }
  });
  const [status] = (await once(call, 'status')) as [StatusObject];
  return { counts, status };
}

t.test(`${REPLIES} replies to a client that keeps pausing: all arrive, in order, then the status`, async (t) => {
  for (let run = 1; run <= 3; run++) {
    const { counts, status } = await slowRead(REPLIES);
    t.equal(status.code, 0, `run ${run}: status OK`);
    t.equal(counts.length, REPLIES, `run ${run}: ${counts.length} of ${REPLIES} replies arrived`);
    t.ok(counts.every((count, index) => count === index), `run ${run}: numbered 0…${REPLIES - 1}, none missing, doubled or swapped`);
    t.match(status.metadata.get('x-backend-id')[0], /^greeter-\d$/, `run ${run}: the custom trailer reached the client`);
  }
});
