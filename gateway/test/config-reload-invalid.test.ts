// A reload of a broken config changes nothing: POST /config/reload answers 400 naming the key, the old routes keep
// serving, and the audit log records reload-failed; SIGHUP to a real gateway process logs one line likewise.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { adminCall, readAudit, TEST_TOKEN } from './helpers/admin.js';
import { startBackends } from './helpers/backends.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { metricSum } from './helpers/metrics-sum.js';
import { scratchDir } from './helpers/scratch-dir.js';

t.test('POST /config/reload with a route to an unknown pool: 400, and the old config serves on', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, backends: [backend!.url] });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  writeFileSync(gw.configFile, JSON.stringify({ backends: [backend!.url], routes: [{ name: 'a', pool: 'nope' }] }));
  const response = await adminCall(gw.adminUrl, 'POST', '/config/reload', { token: TEST_TOKEN });
  t.equal(response.status, 400);
  t.match(response.body, { error: 'invalid_config', message: /routes\.0\.pool: "nope" is not a pool/ });
  t.same((await curlTimes(`${gw.url}/hello`, 3)).map((r) => r.status), [200, 200, 200], 'the running config still serves');
  t.equal(await metricSum(gw.adminUrl, 'gateway_config_reloads_total', { result: 'failed' }), 1);
  const records = (await readAudit(gw.gateway.config.audit.file)).filter((entry) => entry.event === 'reload-failed');
  t.match(records, [{ actor: '127.0.0.1', reason: /routes\.0\.pool/ }]);
  t.equal((await adminCall(gw.adminUrl, 'POST', '/config/reload')).status, 401, 'no token: 401');
});

t.test('SIGHUP: a broken file is one logged line and changes nothing; a good one applies the new routes', async (t) => {
  const [backend] = await startBackends(1);
  const file = join(scratchDir('sighup'), 'gateway.config.json');
  writeFileSync(file, JSON.stringify({ backends: [backend!.url], healthCheck: { intervalMs: 200, timeoutMs: 150 } }));
  const gw = await spawnGateway({ GATEWAY_CONFIG: file });
  t.teardown(async () => {
    gw.child.kill('SIGTERM');
    await gw.exited;
    await backend!.stop();
  });
  await waitFor(async () => (await curlTimes(`${gw.url}/hello`, 1))[0]!.status === 200);

  writeFileSync(file, '{"backends": [');
  gw.child.kill('SIGHUP');
  await waitFor(() => gw.logs.some((line) => String(line.msg).startsWith('config reload refused')));
  const refused = gw.logs.filter((line) => String(line.msg).startsWith('config reload refused'));
  t.equal(refused.length, 1, 'one line');
  t.match(refused[0], { level: 40, actor: 'SIGHUP', error: /not valid JSON/ });
  t.equal((await curlTimes(`${gw.url}/hello`, 1))[0]!.status, 200, 'still serving');

  writeFileSync(file, JSON.stringify({ backends: [backend!.url], routes: [{ name: 'only-api', match: { pathPrefix: '/api' }, pool: 'default', stripPrefix: true }] }));
  gw.child.kill('SIGHUP');
  await waitFor(() => gw.logs.some((line) => String(line.msg).startsWith('config reloaded')));
  t.equal((await curlTimes(`${gw.url}/api/hello`, 1))[0]!.status, 200, 'the new route serves');
  t.equal((await curlTimes(`${gw.url}/hello`, 1))[0]!.status, 404, 'and the old catch-all is gone');
});
