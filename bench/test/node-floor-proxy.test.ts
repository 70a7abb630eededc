// The minimal Node proxy the bench measures as 'node-floor': it must really proxy (round-robin, status and
// body relayed, hop-by-hop headers not), or the floor it gives the README would be a floor of nothing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import { freePort } from '../free-port.js';
import { startCountingServer } from '../../gateway/test/helpers/counting-server.js';

const script = fileURLToPath(new URL('../../dist/bench/node-floor-proxy.js', import.meta.url));

t.test('round-robin over its backends, relays status, headers and body; 502 when a backend is gone', async (t) => {
  const a = await startCountingServer((_req, res) => res.writeHead(200, { 'x-from': 'a', 'keep-alive': 'timeout=99' }).end('from a'));
  const b = await startCountingServer((_req, res) => res.writeHead(201, { 'x-from': 'b' }).end('from b'));
  t.teardown(() => Promise.all([a.close(), b.close()]));
  const port = await freePort();
  const floor = spawn(process.execPath, [script, String(port), `${a.url},${b.url}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => floor.kill('SIGKILL'));
  await once(floor.stdout!, 'data');

  const answers = [];
  for (let i = 0; i < 4; i++) {
    const response = await request(`http://127.0.0.1:${port}/hello`);
    answers.push({ status: response.statusCode, from: response.headers['x-from'], keepAlive: response.headers['keep-alive'], body: await response.body.text() });
  }
  t.same(answers.map((answer) => answer.from), ['a', 'b', 'a', 'b'], 'alternates between the backends');
  t.same(answers.map((answer) => `${answer.status} ${answer.body}`), ['200 from a', '201 from b', '200 from a', '201 from b'], 'status and body relayed');
  t.not(answers[0]!.keepAlive, 'timeout=99', "the backend's Keep-Alive header is not relayed (Node sets its own)");
  t.equal(a.arrivals.get('GET /hello'), 2, 'each backend got its share');

  await b.close();
  const statuses = [];
  for (let i = 0; i < 2; i++) {
    const response = await request(`http://127.0.0.1:${port}/hello`);
    await response.body.dump();
    statuses.push(response.statusCode);
  }
  t.same(statuses.sort(), [200, 502], 'the request that went to the closed backend gets 502, no retry');
});

t.test('without a port and backends it exits 2 with a usage line', async (t) => {
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  t.equal(code, 2, 'exit 2');
  t.match(stderr, /^usage: node-floor-proxy PORT ORIGIN/, 'says how to call it');
});
