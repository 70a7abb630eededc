// Rapid reset (CVE-2023-44487) on the h2c listener: a node:http2 client opens streams and cancels each at once,
// up to 20,000. The gateway ends the connection long before (nghttp2's reset rate limit: GOAWAY), the backend
// sees a bounded number of the cancelled requests, RSS stays bounded and another client is served World.
import { execFile } from 'node:child_process';
import { connect, constants } from 'node:http2';
import { promisify } from 'node:util';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startH2cGateway } from './helpers/h2c-gateway.js';
import { metricSum } from './helpers/metrics-sum.js';

const run = promisify(execFile);
const STREAMS = 20_000;
// The attacking client lives in this process too (its streams, buffers): the bound is looser than elsewhere.
const MAX_RSS_GROWTH = 128 * 1024 * 1024;

/** Streams opened before the gateway closed the connection (STREAMS if it never did within 30 s). */
function rapidReset(url: string): Promise<number> {
  return new Promise((resolve) => {
    const session = connect(url);
    let opened = 0;
    session.on('error', () => {}); // the GOAWAY's session error is the expected outcome
    const timer = setTimeout(() => session.destroy(), 30_000);
    session.once('close', () => {
      clearTimeout(timer);
      resolve(opened);
    });
    const burst = (): void => {
      for (let i = 0; i < 100 && opened < STREAMS; i += 1) {
        if (session.closed || session.destroyed) return;
        const stream = session.request({ ':path': '/hello' });
        stream.on('error', () => {});
        stream.close(constants.NGHTTP2_CANCEL);
        opened += 1;
      }
      if (opened < STREAMS) setImmediate(burst);
      else session.close();
    };
    session.once('connect', burst);
  });
}

t.test('streams reset as fast as they open: the connection is cut, the gateway stays up', async (t) => {
  const backends = await startBackends(2);
  const { gw, url } = await startH2cGateway(t, backends.map((backend) => backend.url));
  t.teardown(() => Promise.all(backends.map((backend) => backend.stop())));
  const rssBefore = process.memoryUsage().rss;

  const [opened, bystander] = await Promise.all([
    rapidReset(url),
    run('curl', ['-s', '--max-time', '20', '--http2-prior-knowledge', `${url}/hello`]),
  ]);
  t.ok(opened < STREAMS, `the gateway closed the connection after ${opened} of ${STREAMS} streams`);
  t.equal(bystander.stdout, 'World', 'another client was served during the attack');
  const forwarded = await metricSum(gw.adminUrl, 'gateway_requests_total');
  t.ok(forwarded < 5_000, `${forwarded} requests were started on behalf of the attacker (bounded)`);
  const growth = process.memoryUsage().rss - rssBefore;
  t.ok(growth < MAX_RSS_GROWTH, `RSS grew ${Math.round(growth / 1024 / 1024)} MB (under ${MAX_RSS_GROWTH / 1024 / 1024})`);
  t.equal((await run('curl', ['-s', '--max-time', '10', '--http2-prior-knowledge', `${url}/hello`])).stdout, 'World', 'and after it');
});
