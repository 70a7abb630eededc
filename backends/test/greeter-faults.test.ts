// The Greeter's fault switches and its standard health service, on a real process with @grpc/grpc-js clients:
// not_serving flips Health/Check and is streamed by Health/Watch; error_rate, hang and crash change what callers see.
import { credentials, Metadata, status } from '@grpc/grpc-js';
import t from 'tap';
import { Health, type ServingStatus } from '../src/grpc-protos.js';
import { greeterClient, healthCheck, sayHello, setGreeterFaults } from '../../gateway/test/helpers/greeter-client.js';
import { spawnGreeter } from '../../gateway/test/helpers/greeter-processes.js';

t.test('health service and fault switches', async (t) => {
  const greeter = await spawnGreeter('greeter-f');
  const client = greeterClient(greeter.address);
  t.teardown(async () => {
    client.close();
    await greeter.kill();
  });

  t.equal(await healthCheck(greeter.address), 'SERVING', 'Health/Check of the server ("") is SERVING');
  t.equal(await healthCheck(greeter.address, 'helloworld.Greeter'), 'SERVING', 'and of helloworld.Greeter');
  t.equal(await healthCheck(greeter.address, 'no.Such'), `code ${status.NOT_FOUND}`, 'an unknown service is NOT_FOUND');

  const watcher = new Health(greeter.address, credentials.createInsecure());
  const watch = (watcher as unknown as { Watch(r: { service: string }, m: Metadata): NodeJS.EventEmitter & { cancel(): void } }).Watch({ service: '' }, new Metadata());
  const seen: ServingStatus[] = [];
  watch.on('data', (response: { status: ServingStatus }) => seen.push(response.status));
  watch.on('error', () => {}); // cancelled at the end
  t.teardown(() => {
    watch.cancel();
    watcher.close();
  });

  await setGreeterFaults(greeter.address, { notServing: true });
  t.equal(await healthCheck(greeter.address), 'NOT_SERVING', 'not_serving makes Check answer NOT_SERVING');
  t.equal((await sayHello(client)).message, 'World', 'while calls are still served');
  await setGreeterFaults(greeter.address, {});
  t.equal(await healthCheck(greeter.address), 'SERVING', 'switching it off serves again');
  for (let waited = 0; seen.length < 3 && waited < 50; waited++) await new Promise((resolve) => setTimeout(resolve, 100));
  t.same(seen, ['SERVING', 'NOT_SERVING', 'SERVING'], 'Watch streamed each change');

  await setGreeterFaults(greeter.address, { errorRate: 1 });
  t.match(await sayHello(client), { code: status.UNAVAILABLE, backend: 'greeter-f' }, 'error_rate 1 fails every call with UNAVAILABLE');
  await setGreeterFaults(greeter.address, { errorRate: 1, errorCode: status.RESOURCE_EXHAUSTED });
  t.match(await sayHello(client), { code: status.RESOURCE_EXHAUSTED }, 'or with error_code');
  await t.rejects(setGreeterFaults(greeter.address, { errorRate: 2 }), { code: status.INVALID_ARGUMENT }, 'an error_rate above 1 is refused');

  await setGreeterFaults(greeter.address, { delayMs: 300 });
  const started = Date.now();
  t.equal((await sayHello(client)).message, 'World');
  t.ok(Date.now() - started >= 280, 'delay_ms slows the answer');

  await setGreeterFaults(greeter.address, { hang: true });
  t.equal((await sayHello(client, 'Hello', 400)).code, status.DEADLINE_EXCEEDED, 'hang never answers: the caller hits its deadline');

  const exited = new Promise<number | null>((resolve) => greeter.child.once('exit', (code) => resolve(code)));
  await setGreeterFaults(greeter.address, { crash: true });
  t.equal(await exited, 1, 'crash exits the process with code 1');
  t.equal((await sayHello(client, 'Hello', 2_000)).code, status.UNAVAILABLE, 'after which calls are UNAVAILABLE');
});
