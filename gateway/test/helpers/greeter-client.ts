// A @grpc/grpc-js client of the demo Greeter, what users call it with: SayHello with its outcome (message or
// status, and which backend answered), the health service, and the fault switches.
import { credentials, Metadata, type ChannelCredentials, type Client, type ServiceError } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { Faults, Greeter, Health, type FaultSwitches, type HelloReply, type ServingStatus } from '../../../backends/src/grpc-protos.js';

export interface CallOutcome {
  /** 0 (OK) or the gRPC status code. */
  code: number;
  message?: string;
  details?: string;
  /** x-backend-id from the response headers, or from the trailers of a failed call. */
  backend?: string;
}

type Unary<Req, Res> = (request: Req, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response?: Res) => void) => unknown;

/** h2c, or TLS trusting the given CA file (the test's self-signed certificate). */
export function channelCredentials(caFile?: string): ChannelCredentials {
  return caFile === undefined ? credentials.createInsecure() : credentials.createSsl(readFileSync(caFile));
}

export function greeterClient(address: string, caFile?: string): Client {
  return new Greeter(address, channelCredentials(caFile));
}

/** One SayHello, never throwing: the outcome says what the user would see. */
export function sayHello(client: Client, name = 'Hello', timeoutMs = 5_000): Promise<CallOutcome> {
  return new Promise((resolve) => {
    let backend: string | undefined;
    const call = (client as unknown as { SayHello: Unary<{ name: string }, HelloReply> }).SayHello(
      { name }, new Metadata(), { deadline: Date.now() + timeoutMs },
      (error, reply) => {
        if (error) resolve({ code: error.code, details: error.details, backend: backend ?? (error.metadata?.get('x-backend-id')[0] as string | undefined) });
        else resolve({ code: 0, message: reply!.message, backend });
      },
    ) as { on(event: 'metadata', listener: (metadata: Metadata) => void): void };
    call.on('metadata', (metadata) => (backend = metadata.get('x-backend-id')[0] as string | undefined));
  });
}

/** grpc.health.v1.Health/Check: the status, or the gRPC error code as a string (e.g. "code 5"). */
export function healthCheck(address: string, service = '', caFile?: string): Promise<ServingStatus | string> {
  const client = new Health(address, channelCredentials(caFile));
  return new Promise((resolve) => {
    (client as unknown as { Check: Unary<{ service: string }, { status: ServingStatus }> }).Check(
      { service }, new Metadata(), { deadline: Date.now() + 5_000 },
      (error, response) => {
        client.close();
        resolve(error ? `code ${error.code}` : response!.status);
      },
    );
  });
}

/** greeterdemo.Faults/Set: replaces every switch of one Greeter (the others go back to off). */
export function setGreeterFaults(address: string, switches: Partial<FaultSwitches>, caFile?: string): Promise<FaultSwitches> {
  const client = new Faults(address, channelCredentials(caFile));
  return new Promise((resolve, reject) => {
    (client as unknown as { Set: Unary<Partial<FaultSwitches>, FaultSwitches> }).Set(
      switches, new Metadata(), { deadline: Date.now() + 5_000 },
      (error, response) => {
        client.close();
        if (error) reject(error);
        else resolve(response!);
      },
    );
  });
}
