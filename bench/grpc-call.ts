// The gRPC call `--protocol grpc` measures: SayHello({name: "Hello"}) as h2load sends it (a POST whose body is the
// gRPC length-prefixed HelloRequest, serialized by @grpc/proto-loader), and the same call made once with
// @grpc/grpc-js before measuring, so a target that answers something else (a 404, an error status) is not timed.
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Greeter, type HelloReply } from '../backends/src/grpc-protos.js';

export const SAY_HELLO_PATH = '/helloworld.Greeter/SayHello';
/** Headers h2load adds to its POST: what a gRPC client sends (the method comes from -d). */
export const GRPC_HEADERS = ['content-type: application/grpc', 'te: trailers'];

const sayHello = Greeter.service.SayHello!;

/** A message in gRPC's framing: 1 byte "not compressed", 4 bytes big-endian length, the protobuf bytes. */
function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

/** Writes the request body file for h2load -d; returns it and the bytes of one framed HelloReply{World}. */
export async function writeSayHelloBody(dir: string): Promise<{ bodyFile: string; replyBytes: number }> {
  const bodyFile = join(dir, 'say-hello.grpc');
  await writeFile(bodyFile, framed(sayHello.requestSerialize({ name: 'Hello' })));
  return { bodyFile, replyBytes: framed(sayHello.responseSerialize({ message: 'World' })).length };
}

/** One SayHello("Hello") over h2c: the reply's message and the x-backend-id that answered, or the gRPC error. */
function callOnce(client: Client, timeoutMs: number): Promise<{ message?: string; backend?: string; error?: string }> {
  return new Promise((resolve) => {
    let backend: string | undefined;
    type Unary = (request: object, metadata: Metadata, options: object, callback: (error: ServiceError | null, reply?: HelloReply) => void) => { on(event: 'metadata', listener: (metadata: Metadata) => void): void };
    const call = (client as unknown as { SayHello: Unary }).SayHello({ name: 'Hello' }, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, reply) =>
      resolve(error ? { error: `${error.code} ${error.details}` } : { message: reply?.message, backend }),
    );
    call.on('metadata', (metadata) => (backend = metadata.get('x-backend-id')[0] as string | undefined));
  });
}

/**
 * Calls SayHello through `address` (host:port, h2c) until every one of `backendCount` Greeters has answered World,
 * or fails after `timeoutMs` with the last answer: the gateway adds a backend only after its first good check.
 */
export async function waitForGreeters(address: string, backendCount: number, timeoutMs: number, stillRunning: () => boolean): Promise<void> {
  const client = new Greeter(address, credentials.createInsecure());
  const seen = new Set<string>();
  let last = 'no answer';
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && stillRunning()) {
      const answer = await callOnce(client, 1_000);
      if (answer.message === 'World' && answer.backend !== undefined) seen.add(answer.backend);
      last = answer.error ?? `message ${JSON.stringify(answer.message)} from ${answer.backend ?? 'an unnamed backend'}`;
      if (seen.size === backendCount) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    client.close();
  }
  throw new Error(`SayHello through ${address}: ${seen.size} of ${backendCount} Greeters answered World within ${timeoutMs} ms (last: ${last})`);
}
