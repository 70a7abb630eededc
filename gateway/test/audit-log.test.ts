// The audit log has one JSON line per membership or state change, with time, backend, url, actor, reason and
// the previous and next state: registered, up, drained, enabled, weight, down, expired, deregistered, auth-failure.
// A restarted gateway appends to the same file.
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { adminCall, pool, readAudit, TEST_TOKEN, STEADY_HEALTH } from './helpers/admin.js';

t.test('every transition leaves an audit record', async (t) => {
  const [first, second] = await startBackends(2);
  const gw = await startGateway({ healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, registry: { ttlMs: 1_000 } });
  const file = gw.gateway.config.audit.file;
  t.teardown(async () => {
    await gw.close();
    await first!.stop();
    await second!.stop();
  });
  const call = (method: string, path: string, body?: unknown) => adminCall(gw.adminUrl, method, path, { token: TEST_TOKEN, body });
  const firstId = (await call('POST', '/registry', { url: first!.url })).body.id as string;
  const secondId = (await call('POST', '/registry', { url: second!.url })).body.id as string;
  const beat = async () => {
    await call('PUT', `/registry/${firstId}`);
    await call('PUT', `/registry/${secondId}`);
  };
  await waitFor(async () => (await beat(), (await pool(gw.adminUrl)).every((entry) => entry.state === 'up')), 3_000, 100);
  await call('POST', `/pool/${firstId}/drain`);
  await call('POST', `/pool/${firstId}/enable`);
  await call('PUT', `/pool/${firstId}/weight`, { weight: 5 });
  await adminCall(gw.adminUrl, 'POST', `/pool/${firstId}/drain`, { token: 'a-wrong-token-a-wrong-token' });
  await first!.stop();
  await waitFor(async () => (await beat(), gw.gateway.loadBalancer.get(firstId)?.state === 'down'), 3_000, 100);
  await call('DELETE', `/registry/${secondId}`);
  await waitFor(() => gw.gateway.loadBalancer.get(secondId) === undefined, 3_000);
  await waitFor(() => gw.gateway.loadBalancer.get(firstId) === undefined, 3_000); // no more heartbeats: expires
  await waitFor(async () => (await readAudit(file)).some((record) => record.event === 'expired'), 2_000);

  const records = await readAudit(file);
  const of = (event: string, backend?: string) => records.find((record) => record.event === event && (backend === undefined || record.backend === backend));
  t.match(of('registered', firstId), { backend: firstId, url: first!.url, actor: '127.0.0.1', from: 'absent', to: 'unknown' }, 'registered, by the admin client');
  t.match(of('up', firstId), { actor: 'health', from: 'unknown', to: 'up', reason: 'probe ok' }, 'up, by health');
  t.match(of('drained', firstId), { actor: '127.0.0.1', from: 'up', to: 'draining', reason: 'drained by 127.0.0.1' }, 'drained');
  t.match(of('enabled', firstId), { actor: '127.0.0.1', from: 'draining', to: 'up' }, 'enabled');
  t.match(of('weight', firstId), { actor: '127.0.0.1', weightFrom: 1, weightTo: 5 }, 'weight changed, old and new');
  t.match(of('auth-failure'), { actor: '127.0.0.1', reason: 'wrong token', path: `/pool/${firstId}/drain` }, 'auth failure');
  t.match(of('down', firstId), { actor: 'health', from: 'up', to: 'down', reason: 'refused' }, 'down, by health, with the reason');
  t.match(of('deregistered', secondId), { actor: '127.0.0.1', to: 'absent', reason: /^deregistered; drained/ }, 'deregistered');
  t.match(of('expired', firstId), { actor: 'ttl', from: 'down', to: 'absent', reason: /ttl expired/ }, 'expired, by ttl');
  for (const record of records) t.ok(!Number.isNaN(Date.parse(record.time as string)), `${record.event} has an ISO time`);

  // A new gateway on the same file appends.
  const count = records.length;
  await gw.close();
  const again = await startGateway({ healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, audit: { file } });
  await adminCall(again.adminUrl, 'POST', '/registry', { token: TEST_TOKEN, body: { url: second!.url } });
  await again.close();
  const after = await readAudit(file);
  t.ok(after.length > count, 'a restarted gateway appends to the same file');
  t.same(after.slice(0, count), records, 'and keeps the earlier records');
});
