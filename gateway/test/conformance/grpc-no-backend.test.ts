// Conformance: a gRPC call with no backend available (all three Greeters killed, and the targets given time to
// notice) ends with a gRPC error on all three targets, never a hang or a success. What each returns:
// - gateway: UNAVAILABLE (14), its own trailers-only gRPC status;
// - nginx: UNAVAILABLE (14): nginx answers HTTP 502 (no live upstream), which @grpc/grpc-js maps to UNAVAILABLE;
// - HAProxy: UNAVAILABLE (14): HAProxy answers HTTP 503 (no server up), which @grpc/grpc-js maps to UNAVAILABLE.
import { status } from '@grpc/grpc-js';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { sayHello } from '../helpers/greeter-client.js';
import { killGreeters, spawnGreeters } from '../helpers/greeter-processes.js';
import { startGrpcTarget } from '../helpers/grpc-targets.js';
import { SETTLE_MS, TARGETS } from '../helpers/proxy-targets.js';

/** The HTTP status grpc-js names in the details when the response was no gRPC response at all. */
const HTTP_STATUS = { gateway: undefined, nginx: 502, haproxy: 503 } as const;

for (const name of TARGETS) {
  t.test(`${name}: SayHello with every Greeter down ends UNAVAILABLE`, async (t) => {
    const greeters = await spawnGreeters(3);
    t.teardown(() => killGreeters(greeters));
    const grpc = await startGrpcTarget(name, greeters);
    t.teardown(() => grpc.stop());

    await killGreeters(greeters);
    await sleep(SETTLE_MS);
    const outcome = await sayHello(grpc.client, 'Hello', 10_000);
    t.equal(outcome.code, status.UNAVAILABLE, `UNAVAILABLE (${outcome.details})`);
    const http = HTTP_STATUS[name];
    if (http === undefined) t.notMatch(outcome.details ?? '', /HTTP status code/, 'a gRPC status of its own, not an HTTP error page');
    else t.match(outcome.details, new RegExp(`HTTP status code ${http}`), `${name} answers HTTP ${http}, not a gRPC status`);
  });
}
