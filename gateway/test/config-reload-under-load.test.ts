// POST /config/reload under 50 concurrent clients: the new config edits a route, adds a pool and removes another.
// No request fails, the new routes answer within a second, and the pool that stays keeps its members' health.
import { writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import t from 'tap';
import { adminCall, readAudit, TEST_TOKEN } from './helpers/admin.js';
import { startBackends } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { FAST_HEALTH, startGateway, waitFor } from './helpers/gateway.js';

t.test('a reload that edits routes, adds a pool and removes one, while 50 clients run', async (t) => {
  const [app1, app2, old1, new1] = await startBackends(4);
  const base = {
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN },
    log: { level: 'silent', access: false },
    healthCheck: FAST_HEALTH,
  };
  const before = {
    ...base,
    pools: { app: { backends: [app1!.url, app2!.url] }, old: { backends: [old1!.url] } },
    routes: [{ name: 'legacy', match: { pathPrefix: '/legacy' }, pool: 'old', stripPrefix: true }, { name: 'app', match: {}, pool: 'app' }],
  };
  const gw = await startGateway(before);
  t.teardown(async () => {
    await gw.close();
    await Promise.all([app1, app2, old1, new1].map((b) => b!.stop()));
  });
  await waitFor(() => [...gw.gateway.pools.members()].every((m) => m.state === 'up'));
  const appMember = gw.gateway.pools.get('app')!.get('app-1')!;

  const load = autocannon({ url: `${gw.url}/hello`, connections: 50, duration: 3 });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = {
    ...before,
    audit: gw.gateway.config.audit,
    pools: { app: { backends: [app1!.url, app2!.url] }, next: { backends: [new1!.url] } },
    routes: [{ name: 'next', match: { pathPrefix: '/next' }, pool: 'next', stripPrefix: true }, { name: 'app', match: {}, pool: 'app' }],
  };
  writeFileSync(gw.configFile, JSON.stringify(after));
  const reloaded = await adminCall(gw.adminUrl, 'POST', '/config/reload', { token: TEST_TOKEN });
  const reloadedAt = Date.now();
  t.equal(reloaded.status, 200, JSON.stringify(reloaded.body));
  t.match(reloaded.body.summary, /pools \+next -old =app; routes 2 → 2/, 'the answer says what changed');

  await waitFor(async () => (await curlTimes(`${gw.url}/next/hello`, 1))[0]!.status === 200, 1_000, 20);
  t.ok(Date.now() - reloadedAt < 1_000, 'the new route answered within 1 s');
  const legacy = await curlTimes(`${gw.url}/legacy/hello`, 1);
  t.ok(['backend-1', 'backend-2'].includes(legacy[0]!.backend), `the removed route now falls through to the catch-all: the app pool answered (${legacy[0]!.backend})`);

  const result = await load;
  t.equal(result.errors + result.timeouts + result.non2xx, 0, `${result.requests.total} requests during the reload, none failed`);
  t.equal(gw.gateway.pools.get('app')!.get('app-1'), appMember, 'the pool that stayed kept its member (and its health)');
  t.equal(gw.gateway.pools.get('old'), undefined, 'the removed pool is gone');
  const [record] = (await readAudit(gw.gateway.config.audit.file)).filter((entry) => entry.event === 'reloaded');
  t.match(record, { actor: '127.0.0.1', reason: /\+next -old/ }, 'audited as reloaded with the diff');
});
