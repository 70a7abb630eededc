// Conformance: unary gRPC calls (@grpc/grpc-js SayHello on one channel, over h2c) are balanced per call over three
// Greeter processes on all three targets: every call answers World and every backend answers some of them.
import t from 'tap';
import { sayHello } from '../helpers/greeter-client.js';
import { killGreeters, spawnGreeters } from '../helpers/greeter-processes.js';
import { startGrpcTarget } from '../helpers/grpc-targets.js';
import { TARGETS } from '../helpers/proxy-targets.js';

for (const name of TARGETS) {
  t.test(`${name}: SayHello round-robin over three Greeters on one h2c channel`, async (t) => {
    const greeters = await spawnGreeters(3);
    t.teardown(() => killGreeters(greeters));
    const grpc = await startGrpcTarget(name, greeters);
    t.teardown(() => grpc.stop());

    const outcomes = [];
    for (let i = 0; i < 9; i++) outcomes.push(await sayHello(grpc.client));
    t.same(outcomes.map((outcome) => [outcome.code, outcome.message]), Array(9).fill([0, 'World']), 'every call answers World');
    const backends = outcomes.map((outcome) => outcome.backend);
    t.same(new Set(backends), new Set(['greeter-1', 'greeter-2', 'greeter-3']), `balanced per call, not per connection: ${backends.join(' ')}`);
  });
}
