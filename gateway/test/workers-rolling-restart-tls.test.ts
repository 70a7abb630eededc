// Rolling restart under load on the TLS listener: while POST /workers/restart replaces both workers, 50
// autocannon clients over HTTPS (HTTP/1.1 keep-alive) and four curl loops over HTTP/2 (ALPN h2, reusing one
// connection per invocation) see no failed request: the draining worker sends Connection: close, or GOAWAY in
// answer to a request, before it stops, and the clients carry on with the other workers.
// (h2c is left out: curl 7.88 fails every reused prior-knowledge connection, even to a bare node:http2 server.)
import { execFile } from 'node:child_process';
import autocannon from 'autocannon';
import t from 'tap';
import { adminCall, TEST_TOKEN } from './helpers/admin.js';
import { spawnBackends, killAll } from './helpers/backend-processes.js';
import { scratchDir } from './helpers/scratch-dir.js';
import { makeCertificate } from './helpers/tls-certs.js';
import { listWorkers, spawnWorkersGateway, stopGateway, waitForNewWorkers } from './helpers/workers.js';

const certificate = makeCertificate(scratchDir('workers-tls-restart'), 'localhost', ['localhost']);
/** Requests per curl invocation (one connection each, reused); invocations repeat until the restart is done. */
const CURL_BATCH = 100;
/**
 * curl loops side by side, so the hand-offs reach some of them mid-run: with one loop, its connection could sit
 * on the worker that was not draining at both hand-offs. Four also catch a GOAWAY crossing a request curl had
 * already sent, which curl 7.88 fails instead of retrying: while the hand-off sent its GOAWAY at once rather than in
 * answer to a request (Http2Sessions), 2 of 4 runs failed so (and about one in three in earlier full suites).
 */
const CURL_LOOPS = 4;

interface CurlTally {
  ok: number;
  failed: string[];
  /** Invocations, and connections they opened: more connections than invocations means curl moved mid-way. */
  batches: number;
  connections: number;
}

/** curl fetching `url` over and over on one connection per invocation, until stopped (at most maxSeconds). */
function curlLoop(url: string, args: string[], maxSeconds: number): { stop(): Promise<CurlTally> } {
  const tally: CurlTally = { ok: 0, failed: [], batches: 0, connections: 0 };
  const deadline = Date.now() + maxSeconds * 1_000;
  let stopped = false;
  const urls = Array.from({ length: CURL_BATCH }, () => [url, '-o', '/dev/null']).flat();
  const batch = () => new Promise<void>((resolve) => {
    execFile('curl', ['-s', '--max-time', '30', ...args, '-w', '%{http_code} %{http_version} %{num_connects} %{errormsg}\\n', ...urls], (error, stdout) => {
      tally.batches += 1;
      for (const line of stdout.trim().split('\n').filter(Boolean)) {
        tally.connections += Number(line.split(' ')[2]);
        if (line.startsWith('200 2')) tally.ok += 1;
        else tally.failed.push(line);
      }
      if (error && tally.failed.length === 0) tally.failed.push(`curl exited ${error.code}`);
      resolve();
    });
  });
  const running = (async () => {
    while (!stopped && Date.now() < deadline) await batch();
  })();
  return {
    async stop() {
      stopped = true;
      await running;
      return tally;
    },
  };
}

t.test('POST /workers/restart under HTTPS and HTTP/2 load: 0 failed requests', async (t) => {
  const backends = await spawnBackends(2);
  const gateway = await spawnWorkersGateway(backends, {
    GATEWAY_TLS_ENABLED: 'true',
    GATEWAY_TLS_PORT: '0',
    GATEWAY_TLS_CERTIFICATES: JSON.stringify([certificate]),
  });
  t.teardown(async () => {
    await stopGateway(gateway);
    await killAll(backends);
  });
  const listening = gateway.logs.find((entry) => entry.msg === 'gateway listening')!;
  const tlsPort = listening.tlsPort as number;
  const first = (await listWorkers(gateway.adminUrl)).map((worker) => worker.pid);

  let instance!: autocannon.Instance;
  const https = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon({ url: `https://127.0.0.1:${tlsPort}/hello`, connections: 50, duration: 90, tlsOptions: { servername: 'localhost' } }, (error, result) => (error ? reject(error) : resolve(result)));
  });
  const h2Args = ['--http2', '--cacert', certificate.cert, '--resolve', `localhost:${tlsPort}:127.0.0.1`];
  const h2 = Array.from({ length: CURL_LOOPS }, () => curlLoop(`https://localhost:${tlsPort}/hello`, h2Args, 90));
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const restart = await adminCall(gateway.adminUrl, 'POST', '/workers/restart', { token: TEST_TOKEN });
  t.match(restart, { status: 202, body: { restarting: true, workers: 2 } }, 'POST /workers/restart accepted');
  const second = (await waitForNewWorkers(gateway.adminUrl, first)).map((worker) => worker.pid);
  t.pass(`workers ${first.join(', ')} replaced by ${second.join(', ')}`);
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  instance.stop();
  const [result, tallies] = await Promise.all([https, Promise.all(h2.map((loop) => loop.stop()))]);
  const overH2 = tallies.reduce((sum, tally) => ({ ok: sum.ok + tally.ok, failed: [...sum.failed, ...tally.failed], batches: sum.batches + tally.batches, connections: sum.connections + tally.connections }));
  t.ok(result.requests.total > 100, `${result.requests.total} HTTPS requests during the restart`);
  t.equal(result.errors + result.timeouts, 0, `HTTPS: no connection error (${result.errors}) or timeout (${result.timeouts})`);
  t.equal(result.non2xx, 0, 'HTTPS: no non-2xx answer');
  t.ok(overH2.ok > 50, `${overH2.ok} HTTP/2 over TLS requests by curl`);
  t.same(overH2.failed, [], 'HTTP/2 over TLS: no failed request');
  // More connections than invocations: some curl runs were sent to another worker mid-run. At the first hand-off
  // the loops are still in runs begun before the new workers (100 requests take seconds), so each is on one of
  // the two old workers: if none is on the first to drain, all four are on the second.
  t.ok(overH2.connections > overH2.batches, `curl moved to other workers mid-run: ${overH2.connections} connections in ${overH2.batches} runs (${tallies.map((tally) => `${tally.connections}/${tally.batches}`).join(', ')})`);
});
