// SIGTERM to a multi-process gateway drains every worker: a request in flight gets its whole answer, the
// primary exits 0 and no worker process is left behind.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { adminCall } from './helpers/admin.js';
import { spawnBackends, killAll } from './helpers/backend-processes.js';
import { listWorkers, spawnWorkersGateway } from './helpers/workers.js';

const run = promisify(execFile);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('SIGTERM drains both workers and exits 0', async (t) => {
  const backends = await spawnBackends(1);
  const gateway = await spawnWorkersGateway(backends);
  t.teardown(async () => {
    if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    await killAll(backends);
  });
  const pids = (await listWorkers(gateway.adminUrl)).map((worker) => worker.pid);
  t.equal((await adminCall(backends[0]!.url, 'PUT', '/faults', { body: { delayMs: 1_500 } })).status, 200, 'backend answers after 1.5 s');

  const inFlight = run('curl', ['-s', '--max-time', '20', '-w', ' %{http_code}', `${gateway.url}/hello`]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  gateway.child.kill('SIGTERM');
  const { stdout } = await inFlight;
  t.equal(stdout, 'World 200', 'the request in flight got its whole answer');
  t.equal(await gateway.exited, 0, 'the primary exited 0');
  t.same(pids.filter(alive), [], 'no worker is left');
  t.ok(gateway.logs.filter((line) => line.msg === 'worker draining: finishing in-flight requests').length === 2, 'both workers drained');
});
