// The Greeter's fault switches, all off by default: greeterdemo.Faults/Set replaces them, Get shows them.
// gate() applies them to each Greeter call; health listeners hear when not_serving flips.
import { status, type sendUnaryData, type ServerErrorResponse, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { FaultSwitches } from './grpc-protos.js';

export const NO_FAULTS: FaultSwitches = Object.freeze({ notServing: false, delayMs: 0, errorRate: 0, errorCode: 0, hang: false, crash: false });
/** Bounds that keep a typo from parking a call for hours (the HTTP backend's /faults has the same). */
const MAX_DELAY_MS = 600_000;
const CRASH_AFTER_MS = 100;

/** What a Greeter call does after the switches had their say. */
export type Gate = { action: 'serve' } | { action: 'hang' } | { action: 'fail'; error: ServerErrorResponse };

export class GreeterFaults {
  private switches: FaultSwitches = NO_FAULTS;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly onCrash: () => void) {}

  get current(): FaultSwitches {
    return this.switches;
  }

  /** Called on every change of the switches (the health service streams not_serving to its watchers). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async gate(): Promise<Gate> {
    const { delayMs, errorRate, errorCode, hang } = this.switches;
    if (hang) return { action: 'hang' };
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (errorRate > 0 && Math.random() < errorRate) {
      const code = errorCode === 0 ? status.UNAVAILABLE : errorCode;
      return { action: 'fail', error: { name: 'FaultInjected', message: 'fault injected (greeterdemo.Faults)', code } };
    }
    return { action: 'serve' };
  }

  /** The greeterdemo.Faults service. */
  implementation(): UntypedServiceImplementation {
    return {
      Get: (_call: ServerUnaryCall<FaultSwitches, FaultSwitches>, callback: sendUnaryData<FaultSwitches>) => callback(null, this.switches),
      Set: (call: ServerUnaryCall<FaultSwitches, FaultSwitches>, callback: sendUnaryData<FaultSwitches>) => {
        const problem = invalid(call.request);
        if (problem !== undefined) return callback({ code: status.INVALID_ARGUMENT, details: problem });
        this.switches = Object.freeze({ ...NO_FAULTS, ...call.request });
        for (const listener of this.listeners) listener();
        callback(null, this.switches);
        // A moment's grace so the answer to Set leaves before the process does.
        if (this.switches.crash) setTimeout(this.onCrash, CRASH_AFTER_MS);
      },
    };
  }
}

function invalid(switches: FaultSwitches): string | undefined {
  if (switches.delayMs > MAX_DELAY_MS) return `delay_ms: ${switches.delayMs} is more than ${MAX_DELAY_MS}`;
  if (!(switches.errorRate >= 0 && switches.errorRate <= 1)) return `error_rate: ${switches.errorRate} is not between 0 and 1`;
  if (switches.errorCode > 16) return `error_code: ${switches.errorCode} is not a gRPC status code (0-16)`;
  return undefined;
}
