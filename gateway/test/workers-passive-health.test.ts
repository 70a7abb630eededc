// Passive health with workers: each worker sends the failures its traffic sees to the primary, which counts
// them together and ejects once for all workers (one audit record), after which no worker sends to the backend.
import { join } from 'node:path';
import t from 'tap';
import { adminCall, pool, readAudit } from './helpers/admin.js';
import { spawnBackends, killAll } from './helpers/backend-processes.js';
import { curlTimes } from './helpers/curl.js';
import { waitFor } from './helpers/gateway.js';
import { metricSum } from './helpers/metrics-sum.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { spawnWorkersGateway, stopGateway } from './helpers/workers.js';

t.test('failures seen by two workers eject the backend once, for both', async (t) => {
  const backends = await spawnBackends(2);
  const audit = join(scratchDir('workers-passive'), 'audit.jsonl');
  const gateway = await spawnWorkersGateway(backends, { GATEWAY_AUDIT_FILE: audit, GATEWAY_PASSIVE_HEALTH_EJECT_TIME_MS: '30000', GATEWAY_PASSIVE_HEALTH_MAX_EJECT_TIME_MS: '30000' });
  t.teardown(async () => {
    await stopGateway(gateway);
    await killAll(backends);
  });
  // backend-2 answers 503 to traffic but passes its health checks: only live traffic can tell.
  const faults = await adminCall(backends[1]!.url, 'PUT', '/faults', { body: { errorRate: 1, errorStatus: 503 } });
  t.equal(faults.status, 200, 'fault switched on');

  const results = await curlTimes(`${gateway.url}/hello`, 20, ['-H', 'connection: close']);
  t.same(new Set(results.map((result) => `${result.status} ${result.backend}`)), new Set(['200 backend-1']), 'clients only saw backend-1 (503s were retried)');
  await waitFor(async () => (await pool(gateway.adminUrl)).find((entry) => entry.id === 'backend-2')?.state === 'ejected', 5_000);
  await new Promise((resolve) => setTimeout(resolve, 300));

  const sentBefore = await metricSum(gateway.adminUrl, 'gateway_requests_total', { backend: 'backend-2' });
  const later = await curlTimes(`${gateway.url}/hello`, 20, ['-H', 'connection: close']);
  t.same(new Set(later.map((result) => result.backend)), new Set(['backend-1']), 'after the ejection every request goes to backend-1');
  t.equal(await metricSum(gateway.adminUrl, 'gateway_requests_total', { backend: 'backend-2' }), sentBefore, 'no worker sent anything to the ejected backend');

  const ejected = (await readAudit(audit)).filter((record) => record.event === 'ejected' && record.backend === 'backend-2');
  t.equal(ejected.length, 1, 'one ejection for both workers, audited once');
  t.match(ejected[0], { actor: 'passive', from: 'up', to: 'ejected' });
});
