// Conformance: the same faults give the same error statuses: a backend that cuts the connection → 502, one that
// never answers → 504 after the headers timeout. The documented differences: with no backend available the gateway
// and HAProxy answer 503, nginx OSS 502 (its "no live upstreams" has no status of its own); and HAProxy retries a
// timed-out GET on the same server when no other is left, so its 504 comes after (1 + retries) timeouts.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { spawnBackends } from '../helpers/backend-processes.js';
import { startScriptedBackend } from '../helpers/fault-servers.js';
import { CONFORMANCE_CONFIG, SETTLE_MS, startTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequest } from '../helpers/timed-request.js';

const NO_BACKEND_STATUS = { gateway: 503, haproxy: 503, nginx: 502 } as const;
/** retry.retries at its default, rendered as HAProxy's `retries`. */
const HAPROXY_RETRIES = 2;

for (const name of TARGETS) {
  t.test(`${name}: no backend available → ${NO_BACKEND_STATUS[name]}`, async (t) => {
    const [backend] = await spawnBackends(1);
    const target = await startTarget(name, [backend!.url]);
    t.teardown(async () => {
      await target.stop();
      await backend!.kill();
    });
    await backend!.kill();
    await sleep(SETTLE_MS);
    const response = await timedRequest(`${target.url}/hello`);
    t.equal(response.status, NO_BACKEND_STATUS[name]);
  });

  t.test(`${name}: a backend that cuts the connection → 502`, async (t) => {
    const backend = await startScriptedBackend('backend-1', 'reset');
    const target = await startTarget(name, [backend.url]);
    t.teardown(async () => {
      await target.stop();
      await backend.stop();
    });
    const response = await timedRequest(`${target.url}/hello`, { method: 'POST', body: 'Hello', headers: { 'content-type': 'text/plain' } });
    t.equal(response.status, 502);
  });

  t.test(`${name}: a backend that never answers → 504 after the headers timeout`, async (t) => {
    const backend = await startScriptedBackend('backend-1', 'hang');
    const target = await startTarget(name, [backend.url]);
    t.teardown(async () => {
      await target.stop();
      await backend.stop();
    });
    const response = await timedRequest(`${target.url}/hello`);
    t.equal(response.status, 504);
    const timeouts = name === 'haproxy' ? 1 + HAPROXY_RETRIES : 1;
    t.ok(response.ms >= timeouts * CONFORMANCE_CONFIG.proxy.headersTimeoutMs * 0.9, `answered after ${Math.round(response.ms)} ms, not before ${timeouts} timeout(s)`);
  });
}
