// DNS discovery against a real DNS server on 127.0.0.1: members appear and disappear with the A and SRV records,
// those that stay keep their health, and a failing DNS server keeps the last known members.
import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { buildBackendApp } from '../../backends/src/app.js';
import { startBackends } from './helpers/backends.js';
import { startDnsServer } from './helpers/dns-server.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { pool, readAudit, STEADY_HEALTH } from './helpers/admin.js';

const INTERVAL_MS = 150;

async function listenOn(id: string, host: string, port: number): Promise<FastifyInstance> {
  const app = buildBackendApp({ id });
  await app.listen({ host, port });
  return app;
}

t.test('A and SRV records drive the pool', async (t) => {
  const [first, srvOne, srvTwo] = await startBackends(3);
  // A second address for the A name on the same port: 127.0.0.2 is loopback too.
  const second = await listenOn('backend-a2', '127.0.0.2', first!.port);
  const dns = await startDnsServer();
  dns.a.set('api.test', ['127.0.0.1']);
  dns.srv.set('_http._tcp.svc.test', [{ target: 'one.svc.test', port: srvOne!.port }]);
  dns.a.set('one.svc.test', ['127.0.0.1']);
  dns.a.set('two.svc.test', ['127.0.0.1']);
  const gw = await startGateway({ healthCheck: STEADY_HEALTH, dns: { names: [`http://api.test:${first!.port}`, '_http._tcp.svc.test'], intervalMs: INTERVAL_MS, servers: [dns.address] } });
  t.teardown(async () => {
    await gw.close();
    await dns.close();
    await second.close();
    for (const backend of [first, srvOne, srvTwo]) await backend!.stop();
  });
  const ids = async () => (await pool(gw.adminUrl)).map((entry) => `${entry.id} ${entry.state}`).sort();
  const aFirst = `api.test-127.0.0.1-${first!.port}`;
  const aSecond = `api.test-127.0.0.2-${first!.port}`;
  const srvFirst = `svc.test-127.0.0.1-${srvOne!.port}`;
  const srvSecond = `svc.test-127.0.0.1-${srvTwo!.port}`;

  await waitFor(async () => (await ids()).join() === [`${aFirst} up`, `${srvFirst} up`].sort().join(), 5_000);
  t.pass('an A name and an SRV name become members, actively probed up');
  t.match(await pool(gw.adminUrl), [{ source: 'dns' }, { source: 'dns' }], 'their source is dns');
  const seen = new Set<string | null>();
  for (let i = 0; i < 4; i += 1) seen.add((await fetch(`${gw.url}/hello`)).headers.get('x-backend-id'));
  t.same([...seen].sort(), ['backend-1', 'backend-2'], 'traffic reaches both');

  const member = gw.gateway.loadBalancer.get(aFirst)!;
  dns.a.set('api.test', ['127.0.0.1', '127.0.0.2']);
  await waitFor(() => gw.gateway.loadBalancer.get(aSecond)?.state === 'up', 5_000);
  t.pass('a new A record adds a member');
  t.equal(gw.gateway.loadBalancer.get(aFirst), member, 'the member that stayed is the same one');
  const added = (await readAudit(gw.gateway.config.audit.file)).filter((record) => record.backend === aFirst && record.event === 'added');
  t.equal(added.length, 1, 'and was not added again (its health history is kept)');

  dns.a.set('api.test', ['127.0.0.2']);
  await waitFor(() => gw.gateway.loadBalancer.get(aFirst) === undefined, 5_000);
  t.pass('a removed A record removes its member');

  dns.srv.set('_http._tcp.svc.test', [{ target: 'two.svc.test', port: srvTwo!.port }]);
  await waitFor(async () => (await ids()).join() === [`${aSecond} up`, `${srvSecond} up`].sort().join(), 5_000);
  t.pass('SRV target changes replace the member');

  dns.failing = true;
  await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * 6));
  t.same(await ids(), [`${aSecond} up`, `${srvSecond} up`].sort(), 'a failing DNS server keeps the last known members');
  dns.failing = false;

  dns.a.delete('api.test');
  await waitFor(() => gw.gateway.loadBalancer.get(aSecond) === undefined, 5_000);
  t.pass('a name that no longer exists (NXDOMAIN) removes its members');
});
