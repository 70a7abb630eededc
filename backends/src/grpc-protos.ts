// The demo's gRPC service definitions, loaded once from the repository's proto/ folder with @grpc/proto-loader:
// helloworld.Greeter, the standard grpc.health.v1.Health and the Greeter's fault switches (greeterdemo.Faults).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** proto/ beside backends/: two levels up from backends/src (tests), three from dist/backends/src (users). */
export const PROTO_DIR = [new URL('../../proto/', import.meta.url), new URL('../../../proto/', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(`${dir}helloworld.proto`)) ?? fileURLToPath(new URL('../../proto/', import.meta.url));

export interface HelloRequest { name: string; count: number }
export interface HelloReply { message: string; count?: number }
export interface FaultSwitches {
  notServing: boolean;
  delayMs: number;
  errorRate: number;
  errorCode: number;
  hang: boolean;
  crash: boolean;
}
export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

// camelCase fields, defaults filled in and enums as their names: what the TypeScript types above describe.
const definition = loadSync(['helloworld.proto', 'grpc/health/v1/health.proto', 'greeter_faults.proto'], {
  includeDirs: [PROTO_DIR],
  defaults: true,
  enums: String,
});
const loaded = loadPackageDefinition(definition);

function service(path: string): ServiceClientConstructor {
  const found = path.split('.').reduce<unknown>((node, name) => (node as GrpcObject)[name], loaded);
  return found as ServiceClientConstructor;
}

/** Client constructors (new Greeter(address, credentials)); `.service` is the definition a server adds. */
export const Greeter = service('helloworld.Greeter');
export const Health = service('grpc.health.v1.Health');
export const Faults = service('greeterdemo.Faults');

export const GREETER_SERVICE_NAME = 'helloworld.Greeter';
