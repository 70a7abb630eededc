// Active checks at scale: 1,000 healthy backends (one backend process answering on every 127.0.X.Y) are all up after the
// gateway starts, and its own probing (every 1 s, the default) marks none of them down, at start or after.
import t from 'tap';
import { waitFor } from './helpers/gateway.js';
import { startLoopbackFleet } from './helpers/loopback-fleet.js';
import { metricSum } from './helpers/metrics-sum.js';

const BACKENDS = 1_000;

t.test('1,000 healthy backends come up and stay up under 1 s probing', async (t) => {
  // Probes every 1 s as by default, but a 900 ms timeout and fall 3: the suite runs another test file beside this
  // one on two cores, and a probe starved of CPU by that test is not what this test is about. The gateway's own
  // start-up burst (every first probe at once) marked hundreds down even so.
  const gateway = await startLoopbackFleet(t, BACKENDS, { GATEWAY_HEALTH_CHECK_TIMEOUT_MS: '900', GATEWAY_HEALTH_CHECK_FALL: '3' });

  const upCount = async () => {
    const { backends } = (await (await fetch(`${gateway.adminUrl}/pool`)).json()) as { backends: Array<{ state: string }> };
    return backends.filter((entry) => entry.state === 'up').length;
  };
  // Generous: the machine running the suite may be busy; the point is that all get there, not how fast.
  await waitFor(async () => (await upCount()) === BACKENDS, 30_000, 250);
  t.pass(`all ${BACKENDS} backends are up`);

  await new Promise((resolve) => setTimeout(resolve, 5_000));
  t.equal(await upCount(), BACKENDS, 'all still up after 5 s more of probing');
  const downs = await metricSum(gateway.adminUrl, 'gateway_backend_transitions_total', { to: 'down' });
  const reasons = [...new Set(gateway.logs.filter((entry) => entry.to === 'down').map((entry) => entry.reason))].join(', ');
  t.equal(downs, 0, `no backend was ever marked down (gateway_backend_transitions_total{to="down"}: ${downs}${reasons ? `, ${reasons}` : ''})`);
});
