// The admin API's auth matrix: for every mutation, no token configured → 403 saying how to set one;
// missing or wrong token → 401 (audited, token never logged); the right token → the call goes through.
import t from 'tap';
import { startBackends, type TestBackend } from './helpers/backends.js';
import { startGateway, type TestGateway } from './helpers/gateway.js';
import { adminCall, readAudit, TEST_TOKEN } from './helpers/admin.js';

const MUTATIONS = (backend: TestBackend, id: string) => [
  { method: 'POST', path: '/registry', body: { url: backend.url } },
  { method: 'PUT', path: `/registry/${id}` },
  { method: 'POST', path: `/pool/${id}/drain` },
  { method: 'POST', path: `/pool/${id}/enable` },
  { method: 'PUT', path: `/pool/${id}/weight`, body: { weight: 3 } },
  { method: 'DELETE', path: `/registry/${id}` },
];

t.test('auth matrix for every mutation', async (t) => {
  const [backend] = await startBackends(1);
  const open = await startGateway({});
  const guarded = await startGateway({ admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN, authFailuresPerMinute: 100 } });
  t.teardown(async () => {
    await open.close();
    await guarded.close();
    await backend!.stop();
  });
  const id = `127.0.0.1-${backend!.port}`;

  for (const call of MUTATIONS(backend!, id)) {
    const name = `${call.method} ${call.path}`;
    const unconfigured = await adminCall(open.adminUrl, call.method, call.path, { body: call.body, token: TEST_TOKEN });
    t.equal(unconfigured.status, 403, `${name}: no token configured → 403`);
    t.match(unconfigured.body.message, /GATEWAY_ADMIN_TOKEN/, `${name}: the 403 says how to configure a token`);

    const missing = await adminCall(guarded.adminUrl, call.method, call.path, { body: call.body });
    t.equal(missing.status, 401, `${name}: missing token → 401`);
    t.equal(missing.body.error, 'missing_token');
    t.equal(missing.headers.get('www-authenticate'), 'Bearer realm="gateway-admin"');

    const wrong = await adminCall(guarded.adminUrl, call.method, call.path, { body: call.body, token: 'not-the-token-at-all-xx' });
    t.equal(wrong.status, 401, `${name}: wrong token → 401`);
    t.equal(wrong.body.error, 'invalid_token');

    const right = await adminCall(guarded.adminUrl, call.method, call.path, { body: call.body, token: TEST_TOKEN });
    t.ok(right.status >= 200 && right.status < 300, `${name}: right token → ${right.status}`);
  }
  t.equal(open.gateway.loadBalancer.list().length, 0, 'the refused calls changed nothing');

  const audit = await readAudit(guarded.gateway.config.audit.file);
  const failures = audit.filter((record) => record.event === 'auth-failure');
  t.equal(failures.length, 12, 'every 401 left an audit record');
  t.match(failures[0], { actor: '127.0.0.1', reason: 'missing token', method: 'POST', path: '/registry' });
  t.notOk(JSON.stringify(audit).includes('not-the-token'), 'no token appears in the audit log');
});

t.test('reads are open, repeated failures from one address are rate limited', async (t) => {
  const guarded = await startGateway({ admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN, authFailuresPerMinute: 3 } });
  t.teardown(() => guarded.close());
  for (const path of ['/healthz', '/pool', '/readyz']) {
    const response = await adminCall(guarded.adminUrl, 'GET', path);
    t.ok([200, 503].includes(response.status), `GET ${path} needs no token (${response.status})`);
  }
  const statuses: number[] = [];
  for (let i = 0; i < 5; i += 1) statuses.push((await adminCall(guarded.adminUrl, 'POST', '/pool/x/drain', { token: 'wrong-token-wrong-token' })).status);
  t.same(statuses, [401, 401, 401, 429, 429], 'after 3 failures the address gets 429');
  const locked = await adminCall(guarded.adminUrl, 'POST', '/pool/x/drain', { token: TEST_TOKEN });
  t.equal(locked.status, 429, 'a locked-out address is refused even with the right token');
  t.ok(Number(locked.headers.get('retry-after')) > 0, 'and told when to retry');
});
