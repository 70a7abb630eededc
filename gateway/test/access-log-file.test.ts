// log.accessFile: access lines go to their own file, not stdout, and after logrotate moves the file away
// SIGHUP makes the gateway write to a new file of the configured name (nginx's USR1, here the reload signal).
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { startCountingServer } from './helpers/counting-server.js';
import { curlTimes } from './helpers/curl.js';
import { spawnGateway } from './helpers/gateway-process.js';
import { scratchDir } from './helpers/scratch-dir.js';

/** The access lines in `file` (empty while it does not exist yet); polls until `count` are there, bounded. */
async function accessLines(file: string, count: number): Promise<Record<string, unknown>[]> {
  let lines: Record<string, unknown>[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    const text = await readFile(file, 'utf8').catch(() => '');
    lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    if (lines.length >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return lines;
}

t.test('access lines go to log.accessFile, and to a new file after it is rotated and SIGHUP', async (t) => {
  const backend = await startCountingServer((_req, res) => res.end('World'));
  t.teardown(() => backend.close());
  const file = join(scratchDir('access-log'), 'logs', 'access.log');
  const gateway = await spawnGateway({ GATEWAY_BACKENDS: backend.url, GATEWAY_LOG_ACCESS: 'true', GATEWAY_LOG_ACCESS_FILE: file, GATEWAY_HEALTH_CHECK_INTERVAL_MS: '200', GATEWAY_HEALTH_CHECK_TIMEOUT_MS: '150' });
  t.teardown(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  });
  await new Promise((resolve) => setTimeout(resolve, 600));

  t.same((await curlTimes(`${gateway.url}/first`, 3)).map((each) => each.status), [200, 200, 200]);
  const first = await accessLines(file, 3);
  t.same(first.map((line) => line.path), ['/first', '/first', '/first'], 'three lines in the file (its folder was made)');
  t.equal(first[0]!.component, 'access');
  t.notOk(gateway.logs.some((line) => line.component === 'access'), 'none on stdout');

  await rename(file, `${file}.1`);
  gateway.child.kill('SIGHUP');
  // The reload is logged once done; the next request's line must go to the new file.
  for (let attempt = 0; attempt < 50 && !gateway.logs.some((line) => typeof line.msg === 'string' && line.msg.includes('reload')); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
  t.same((await curlTimes(`${gateway.url}/second`, 1)).map((each) => each.status), [200]);
  t.same((await accessLines(file, 1)).map((line) => line.path), ['/second'], 'the new file has the line after rotation');
  t.same((await accessLines(`${file}.1`, 3)).map((line) => line.path), ['/first', '/first', '/first'], 'the rotated file kept only its own');
});
