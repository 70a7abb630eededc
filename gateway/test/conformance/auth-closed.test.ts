// Conformance: a route guarded by an API key never reaches its backend without a valid key, on all three targets.
// The gateway checks the key; nginx and HAProxy cannot (hashed keys, constant-time comparison), so their drop-ins
// refuse the route with the gateway's 401 and challenge rather than serve it unchecked. Other routes still serve.
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { spawnBackend } from '../helpers/backend-processes.js';
import { curlTimes } from '../helpers/curl.js';
import { startRoutedTarget, TARGETS } from '../helpers/proxy-targets.js';

const run = promisify(execFile);
const KEY = 'k-team-a-0123456789';

for (const name of TARGETS) {
  t.test(`${name}: a guarded route is never served without its key`, async (t) => {
    const backend = await spawnBackend('backend-1');
    const target = await startRoutedTarget(
      name,
      {
        pools: { app: { backends: [{ id: 'backend-1', url: backend.url }] } },
        routes: [
          { name: 'guarded', match: { pathPrefix: '/private' }, pool: 'app', stripPrefix: true, auth: { apiKey: { header: 'x-api-key', keys: [{ name: 'team-a', sha256: createHash('sha256').update(KEY).digest('hex') }] } } },
          { name: 'rest', pool: 'app' },
        ],
      },
      [{ path: '/health' }],
    );
    t.teardown(async () => {
      await target.stop();
      await backend.kill();
    });

    for (const headers of [[], ['-H', 'x-api-key: wrong']]) {
      const [refused] = await curlTimes(`${target.url}/private/hello`, 1, headers);
      t.equal(refused?.status, 401, `${headers.length === 0 ? 'no key' : 'a wrong key'}: 401`);
      t.equal(refused?.backend, '', 'the backend never saw it');
    }
    const { stdout } = await run('curl', ['-s', '-D', '-', '-o', '/dev/null', `${target.url}/private/hello`]);
    t.match(stdout, /^www-authenticate: ApiKey realm="guarded"/im, 'the challenge names the route');
    const [open] = await curlTimes(`${target.url}/hello`, 1);
    t.equal(open?.status, 200, 'another route serves');
    t.equal(open?.backend, 'backend-1');
    const [keyed] = await curlTimes(`${target.url}/private/hello`, 1, ['-H', `x-api-key: ${KEY}`]);
    // Only the gateway can check the key: the drop-ins refuse even a valid one (closed, never open).
    t.equal(keyed?.status, name === 'gateway' ? 200 : 401, name === 'gateway' ? 'the key admits on the gateway' : 'the drop-in keeps the route closed');
  });
}
