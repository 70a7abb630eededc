// Conformance: a frozen backend (accepts connections, never answers, not even its health probe) is bypassed.
// The gateway and HAProxy probe it out: after the settling time no GET waits on it. nginx OSS has no active
// checks, so live traffic finds it: the GETs that land on it wait the read timeout, then go to the next
// backend, until max_fails takes it out; no GET fails on any target.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { spawnBackends } from '../helpers/backend-processes.js';
import { startFrozenBackend } from '../helpers/fault-servers.js';
import { CONFORMANCE_CONFIG, SETTLE_MS, startTarget, TARGETS } from '../helpers/proxy-targets.js';
import { statusCounts, timedRequests } from '../helpers/timed-request.js';

const HEADERS_TIMEOUT_MS = CONFORMANCE_CONFIG.proxy.headersTimeoutMs;
/** nginx's max_fails is the gateway's passiveHealth.maxFails default. */
const NGINX_MAX_FAILS = 3;

for (const name of TARGETS) {
  t.test(`${name}: a frozen backend is bypassed`, async (t) => {
    const [first, third] = await spawnBackends(2);
    const frozen = await startFrozenBackend('frozen');
    const target = await startTarget(name, [first!.url, frozen.url, third!.url]);
    t.teardown(async () => {
      await target.stop();
      await Promise.all([first!.kill(), third!.kill(), frozen.stop()]);
    });
    await sleep(SETTLE_MS);

    const responses = await timedRequests(15, `${target.url}/hello`);
    t.same(statusCounts(responses), { 200: 15 }, 'every GET succeeded');
    const slow = responses.filter((response) => response.ms >= HEADERS_TIMEOUT_MS * 0.9).length;
    if (name === 'nginx') {
      // The documented difference: no active checks, so the first GETs to land on it pay the read timeout.
      t.ok(slow >= 1 && slow <= NGINX_MAX_FAILS, `${slow} GET(s) waited out the ${HEADERS_TIMEOUT_MS} ms read timeout before max_fails took it out`);
      t.ok(responses.slice(-5).every((response) => response.ms < HEADERS_TIMEOUT_MS * 0.9), 'after that, no GET waits on it');
    } else {
      t.equal(slow, 0, `no GET waited on the frozen backend (slowest ${Math.round(Math.max(...responses.map((r) => r.ms)))} ms)`);
    }
  });
}
