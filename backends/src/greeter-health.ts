// The standard grpc.health.v1.Health service of the demo Greeter: SERVING for the server ("") and for
// helloworld.Greeter unless the not_serving fault switch is on; Watch streams every change.
// Other service names are NOT_FOUND for Check and SERVICE_UNKNOWN for Watch, as the protocol says.
import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { GreeterFaults } from './greeter-faults.js';
import { GREETER_SERVICE_NAME, type ServingStatus } from './grpc-protos.js';

interface HealthCheckRequest { service: string }
interface HealthCheckResponse { status: ServingStatus }

const KNOWN_SERVICES = new Set(['', GREETER_SERVICE_NAME]);

export function healthImplementation(faults: GreeterFaults): UntypedServiceImplementation {
  const servingStatus = (): ServingStatus => (faults.current.notServing ? 'NOT_SERVING' : 'SERVING');
  return {
    Check: (call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>, callback: sendUnaryData<HealthCheckResponse>) => {
      if (!KNOWN_SERVICES.has(call.request.service)) {
        return callback({ code: status.NOT_FOUND, details: `unknown service ${JSON.stringify(call.request.service)}` });
      }
      callback(null, { status: servingStatus() });
    },
    Watch: (call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      if (!KNOWN_SERVICES.has(call.request.service)) {
        call.write({ status: 'SERVICE_UNKNOWN' });
        return; // kept open: the service may appear later, says the protocol (it never does here)
      }
      let last = servingStatus();
      call.write({ status: last });
      const stop = faults.onChange(() => {
        const next = servingStatus();
        if (next !== last) call.write({ status: next });
        last = next;
      });
      call.on('cancelled', stop);
      call.on('close', stop);
    },
  };
}
