// A gRPC message over limits.maxBodyBytes gets RESOURCE_EXHAUSTED, and the gateway goes on serving: the refusal
// used to leave Node's HTTP/2 session to the Greeter sending empty DATA frames forever (the whole gateway at
// 100 % CPU, no call answered again). A real gateway process, real Greeters, a grpc-js client.
import t from 'tap';
import { freePort } from '../../bench/free-port.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { greeterClient, sayHello } from './helpers/greeter-client.js';
import { killGreeters, spawnGreeters } from './helpers/greeter-processes.js';

const GRPC_RESOURCE_EXHAUSTED = 8;

t.test('a SayHello over maxBodyBytes: RESOURCE_EXHAUSTED, then the next calls are answered', async (t) => {
  const greeters = await spawnGreeters(2);
  t.teardown(() => killGreeters(greeters));
  const h2cPort = await freePort();
  const gateway = await spawnGateway({
    GATEWAY_BACKENDS: '',
    GATEWAY_HTTP2_H2C_PORT: String(h2cPort),
    GATEWAY_LIMITS_MAX_BODY_BYTES: '4096',
    GATEWAY_POOLS: JSON.stringify({ greeter: { protocol: 'grpc', healthCheck: { enabled: false }, backends: greeters.map(({ id, url }) => ({ id, url })) } }),
    GATEWAY_ROUTES: JSON.stringify([{ name: 'rpc', match: { pathPrefix: '/helloworld.Greeter/' }, pool: 'greeter' }]),
  });
  t.teardown(() => void gateway.child.kill('SIGKILL'));
  const client = greeterClient(`127.0.0.1:${h2cPort}`);

  for (const round of [1, 2]) {
    const refused = await sayHello(client, 'a'.repeat(9_000));
    t.equal(refused.code, GRPC_RESOURCE_EXHAUSTED, `round ${round}: the 9,000-byte message is refused as RESOURCE_EXHAUSTED`);
    const answered = await sayHello(client, 'Hello');
    t.match(answered, { code: 0, message: 'World' }, `round ${round}: the next call is answered`);
  }
});
