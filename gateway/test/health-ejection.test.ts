// A killed backend is taken out after `fall` failed probes and no request goes to it afterwards;
// started again, it is back after `rise` good probes. A backend that accepts but never answers is out by timeout.
import { createServer, type Socket } from 'node:net';
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { FAST_HEALTH, startGateway, waitFor } from './helpers/gateway.js';

t.test('killed backend: ejected after fall probes, zero failures after, re-admitted after rise', async (t) => {
  const backends = await startBackends(3);
  const gw = await startGateway({ backends: backends.map((b) => b.url) });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((b) => b.stop()));
  });
  const member = () => gw.gateway.loadBalancer.get('backend-2')!;
  await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));

  await backends[1]!.stop();
  const ejectMs = await waitFor(() => member().state === 'down');
  // fall × interval + timeout (550 ms here), with a margin for a loaded 2-core machine.
  const bound = FAST_HEALTH.intervalMs * 2 + FAST_HEALTH.timeoutMs;
  t.ok(ejectMs < bound * 4, `ejected in ${ejectMs} ms (bound ${bound} ms)`);
  t.equal(member().health.reason, 'refused', 'the reason names what the probe saw');

  const seen = new Map<number, number>();
  for (let i = 0; i < 60; i++) {
    const response = await request(`${gw.url}/hello`);
    await response.body.text();
    seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
    t.not(response.headers['x-backend-id'], 'backend-2');
  }
  t.same([...seen], [[200, 60]], 'every request after the ejection succeeded');

  await backends[1]!.start();
  await waitFor(() => member().state === 'up');
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const response = await request(`${gw.url}/hello`);
    await response.body.text();
    ids.add(response.headers['x-backend-id'] as string);
  }
  t.ok(ids.has('backend-2'), 'the restarted backend takes traffic again');
});

t.test('a backend that accepts connections but never answers is ejected by the probe timeout', async (t) => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const [healthy] = await startBackends(1);
  const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  const gw = await startGateway({ backends: [healthy!.url, { url: silentUrl, id: 'silent' }] });
  t.teardown(async () => {
    await gw.close();
    await healthy!.stop();
    for (const socket of sockets) socket.destroy();
    silent.close();
  });
  await waitFor(() => gw.gateway.loadBalancer.get('silent')!.state === 'down');
  t.equal(gw.gateway.loadBalancer.get('silent')!.health.reason, 'timeout');
  t.equal(gw.gateway.loadBalancer.get('backend-1')!.state, 'up', 'the slow backend did not hold up the healthy one');
  for (let i = 0; i < 10; i++) {
    const response = await request(`${gw.url}/hello`);
    t.equal(await response.body.text(), 'World');
  }
});
