// The floor under the gateway's probing cost: a bare undici Agent (one connection per origin, as the gateway's
// probes use) sending GET /health to every origin once a second with a handler that only reads the status.
// Run as its own process by scale-probing.ts: node scale-probe-floor.js PORT COUNT.
import { Agent, type Dispatcher } from 'undici';
import { loopbackOrigins } from './scale-fleet.js';

/** Wake-ups per second; each sends the next slice of the origins, so every origin is asked once a second. */
const TICKS_PER_SECOND = 250;

const [port, count] = process.argv.slice(2).map(Number) as [number, number];
// The gateway's probe agent options (health/active-check.ts) at its 1 s interval and 500 ms timeout.
const agent = new Agent({ connections: 1, connectTimeout: 500, keepAliveTimeout: 4000 });
const requests: Dispatcher.DispatchOptions[] = loopbackOrigins(count, port).map((origin) => ({ origin, path: '/health', method: 'GET', headers: { 'user-agent': 'probe-floor' } }));
let answered = 0;

class StatusOnly implements Dispatcher.DispatchHandler {
  private status = 0;
  onConnect(): void {}
  onHeaders(status: number): boolean {
    this.status = status;
    return true;
  }
  onData(): boolean {
    return true;
  }
  onComplete(): void {
    if (this.status === 200) answered += 1;
  }
  onError(error: Error): void {
    process.stderr.write(`probe-floor: ${error.message}\n`);
  }
}

let next = 0;
const perTick = count / TICKS_PER_SECOND;
let owed = 0;
setInterval(() => {
  for (owed += perTick; owed >= 1; owed -= 1) {
    agent.dispatch(requests[next]!, new StatusOnly());
    next = (next + 1) % count;
  }
}, 1000 / TICKS_PER_SECOND);
setInterval(() => process.stdout.write(`answered ${answered}\n`), 1000);
