// gRPC clients that leave with calls still open never stop the gateway: h2load ends each run by closing its
// connections while slow SayHello calls are in flight (the bench found the gateway exiting on the second run),
// and afterwards a grpc-js call still gets World. Real Greeter processes, a real gateway process, h2load.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { freePort } from '../../bench/free-port.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { greeterClient, sayHello, setGreeterFaults } from './helpers/greeter-client.js';
import { killGreeters, spawnGreeters } from './helpers/greeter-processes.js';
import { scratchDir } from './helpers/scratch-dir.js';

const run = promisify(execFile);
const RUNS = 4;

/** HelloRequest{name: "Hello"} with gRPC's 5-byte length prefix: what a gRPC client puts in the request body. */
const SAY_HELLO_BODY = Buffer.from([0, 0, 0, 0, 7, 0x0a, 5, ...Buffer.from('Hello')]);

t.test(`${RUNS} h2load runs that leave calls open: the gateway keeps serving`, async (t) => {
  const greeters = await spawnGreeters(3);
  t.teardown(() => killGreeters(greeters));
  // Slow calls, so every run ends with about a hundred of them in flight.
  await Promise.all(greeters.map((greeter) => setGreeterFaults(greeter.address, { delayMs: 200 })));
  const h2cPort = await freePort();
  const gateway = await spawnGateway({
    GATEWAY_BACKENDS: '',
    GATEWAY_HTTP2_H2C_PORT: String(h2cPort),
    GATEWAY_POOLS: JSON.stringify({ greeter: { protocol: 'grpc', healthCheck: { enabled: false }, backends: greeters.map(({ id, url }) => ({ id, url })) } }),
    GATEWAY_ROUTES: JSON.stringify([{ name: 'rpc', match: { pathPrefix: '/helloworld.Greeter/' }, pool: 'greeter' }]),
  });
  t.teardown(() => void gateway.child.kill('SIGKILL'));
  const bodyFile = join(scratchDir('grpc-client-gone'), 'say-hello.bin');
  await writeFile(bodyFile, SAY_HELLO_BODY);

  for (let index = 1; index <= RUNS; index++) {
    // -D 1: a one-second run, after which h2load closes its connections with the open calls on them.
    await run('h2load', ['-c', '10', '-m', '10', '-D', '1', '-t', '1', '-d', bodyFile, '-H', 'content-type: application/grpc', '-H', 'te: trailers',
      `http://127.0.0.1:${h2cPort}/helloworld.Greeter/SayHello`], { timeout: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.equal(gateway.child.exitCode, null, `the gateway is still running after run ${index}`);
  }
  const outcome = await sayHello(greeterClient(`127.0.0.1:${h2cPort}`));
  t.match(outcome, { code: 0, message: 'World' }, 'a call afterwards is answered');
});
