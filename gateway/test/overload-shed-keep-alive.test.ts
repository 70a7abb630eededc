// A shed request's connection stays open when nothing of the request is left unread (curl's own count of the
// connections it opened): shedding a GET must not make every shed client reconnect, which would cost the
// overloaded gateway an accept and a new socket per shed request. With a request body left unread, it closes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { curlOnce } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';

const run = promisify(execFile);

/** Two requests in one curl invocation: per request its status and how many connections curl opened for it. */
async function twoOnOneCurl(url: string, extraArgs: string[]): Promise<string[]> {
  const { stdout } = await run('curl', ['-s', '--max-time', '10', ...extraArgs, '-w', '%{http_code} %{num_connects}\\n', url, '-o', '/dev/null', url, '-o', '/dev/null']);
  return stdout.trim().split('\n');
}

t.test('overloaded: shed GETs keep their connection, a shed POST with an unread body closes it', async (t) => {
  const backend = await startCountingServer((_req, res) => setTimeout(() => res.end('ok'), 3_000));
  const gw = await startGateway({ backends: [backend.url], healthCheck: { enabled: false }, overload: { maxConcurrentRequests: 1 } });
  t.teardown(async () => {
    await gw.close();
    await backend.close();
  });
  const admitted = curlOnce(`${gw.url}/slow`);
  await waitFor(() => backend.arrivals.get('GET /slow') === 1);

  t.same(await twoOnOneCurl(`${gw.url}/x`, []), ['503 1', '503 0'], 'two shed GETs on one connection: the second opened none');
  t.same(await twoOnOneCurl(`${gw.url}/x`, ['--data-binary', 'Hello', '-H', 'Expect:']), ['503 1', '503 1'], 'a shed POST closes: the next one reconnects');
  t.equal((await admitted).status, 200, 'the admitted request is served');
});
