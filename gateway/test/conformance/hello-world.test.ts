// Conformance: the demo conversation works the same through every target: GET /hello and POST "Hello" get "World".
import t from 'tap';
import { killAll, spawnBackends } from '../helpers/backend-processes.js';
import { startTarget, TARGETS } from '../helpers/proxy-targets.js';
import { timedRequest } from '../helpers/timed-request.js';

for (const name of TARGETS) {
  t.test(`${name}: Hello → World by GET and by POST`, async (t) => {
    const backends = await spawnBackends(2);
    const target = await startTarget(name, backends.map((backend) => backend.url));
    t.teardown(async () => {
      await target.stop();
      await killAll(backends);
    });

    const get = await timedRequest(`${target.url}/hello`);
    t.same([get.status, get.body], [200, 'World'], 'GET /hello');
    const post = await timedRequest(`${target.url}/hello`, { method: 'POST', body: 'Hello', headers: { 'content-type': 'text/plain' } });
    t.same([post.status, post.body], [200, 'World'], 'POST /hello with body Hello');
  });
}
