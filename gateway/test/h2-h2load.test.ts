// h2load over TLS (ALPN h2): 2000 requests on 10 connections with 10 streams each all answer 2xx, and the
// streams of one connection are balanced per request over the three backends, not pinned per connection.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';

const run = promisify(execFile);
const certificate = makeCertificate(scratchDir('h2-h2load'), 'localhost', ['localhost']);

t.test('h2load -n 2000 -c 10 -m 10: every response 2xx, spread over the backends', async (t) => {
  const backends = await startBackends(3);
  // A probe timing out on the loaded test machine would take a backend out and turn its share into 503s,
  // which is not what this test is about.
  const gw = await startGateway({
    backends: backends.map((backend) => backend.url),
    tls: { enabled: true, port: 0, certificates: [certificate] },
    healthCheck: { fall: 100 },
  });
  t.teardown(async () => {
    await gw.close();
    await Promise.all(backends.map((backend) => backend.stop()));
  });
  await waitFor(() => gw.gateway.loadBalancer.available === 3);

  // h2load does not verify certificates; -t 1: one client thread; bounded by the count and a 60 s timeout.
  const { stdout } = await run('h2load', ['-n', '2000', '-c', '10', '-m', '10', '-t', '1', `https://127.0.0.1:${gw.tlsPort!}/hello`], { timeout: 60_000 });
  t.match(stdout, 'Application protocol: h2', 'ALPN chose h2');
  t.match(stdout, /requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored/);
  t.match(stdout, /status codes: 2000 2xx, 0 3xx, 0 4xx, 0 5xx/);

  const served = [...gw.gateway.pools.members()].map((member) => member.served);
  t.equal(served.reduce((a, b) => a + b, 0), 2000, 'every request reached a backend once');
  for (const count of served) t.ok(count > 500 && count < 850, `round-robin share ${count} of 2000 is near a third`);
});
