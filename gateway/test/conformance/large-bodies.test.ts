// Conformance: 20 MB go up and 20 MB come down through every target intact (streamed, not refused or truncated).
// Active checks are off here: on a loaded 2-core machine two probes in a row could time out (even at 500 ms) while
// 20 MB stream, taking the only backend out, and this test is about streaming, not probe timeouts.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import t from 'tap';
import { request } from 'undici';
import { spawnBackends } from '../helpers/backend-processes.js';
import { NO_PROBES, startTarget, TARGETS } from '../helpers/proxy-targets.js';

const SIZE = 20 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 'z');

for (const name of TARGETS) {
  t.test(`${name}: a 20 MB upload and a 20 MB download arrive whole`, async (t) => {
    const [backend] = await spawnBackends(1);
    const target = await startTarget(name, [backend!.url], NO_PROBES);
    t.teardown(async () => {
      await target.stop();
      await backend!.kill();
    });

    const expected = createHash('sha256');
    async function* upload() {
      for (let sent = 0; sent < SIZE; sent += CHUNK.length) {
        expected.update(CHUNK);
        yield CHUNK;
      }
    }
    const up = await request(`${target.url}/upload`, { method: 'POST', body: Readable.from(upload()), headers: { 'content-type': 'application/octet-stream' } });
    t.equal(up.statusCode, 200, 'upload accepted');
    t.same(await up.body.json(), { bytes: SIZE, sha256: expected.digest('hex') }, 'the backend received every byte in order');

    const down = await request(`${target.url}/download?bytes=${SIZE}`);
    t.equal(down.statusCode, 200, `download answered ${down.statusCode}`);
    let received = 0;
    for await (const chunk of down.body) received += (chunk as Buffer).length;
    t.equal(received, SIZE, 'the client received every byte');
  });
}
