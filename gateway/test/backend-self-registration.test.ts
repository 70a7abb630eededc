// A demo backend process started with --register finds the gateway by itself: it registers, heartbeats, registers
// again when a restarted gateway answers 404, and deregisters on SIGTERM (drained, not left to expire).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startGateway, waitFor, type TestGateway } from './helpers/gateway.js';
import { pool, readAudit, TEST_TOKEN, STEADY_HEALTH } from './helpers/admin.js';

const BACKEND_SCRIPT = fileURLToPath(new URL('../../dist/backends/src/server.js', import.meta.url));
const TTL_MS = 1_000;

t.test('register, heartbeat, re-register after a gateway restart, deregister on SIGTERM', async (t) => {
  let gw: TestGateway = await startGateway({ healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: 0, token: TEST_TOKEN }, registry: { ttlMs: TTL_MS } });
  const adminPort = Number(new URL(gw.adminUrl).port);
  const child = spawn(process.execPath, [BACKEND_SCRIPT, '--id', 'backend-r', '--port', '0', '--register', gw.adminUrl], {
    env: { PATH: process.env.PATH, GATEWAY_ADMIN_TOKEN: TEST_TOKEN, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await gw.close();
  });

  await waitFor(async () => (await fetch(`${gw.url}/hello`)).headers.get('x-backend-id') === 'backend-r', 5_000);
  t.pass('the backend registered itself and takes traffic');
  await new Promise((resolve) => setTimeout(resolve, 3 * TTL_MS));
  t.match(await pool(gw.adminUrl), [{ source: 'registry', state: 'up' }], 'heartbeats keep it in the pool past 3 TTLs');

  await gw.close();
  gw = await startGateway({ healthCheck: STEADY_HEALTH, admin: { host: '127.0.0.1', port: adminPort, token: TEST_TOKEN }, registry: { ttlMs: TTL_MS } });
  await waitFor(async () => (await fetch(`${gw.url}/hello`)).headers.get('x-backend-id') === 'backend-r', 5_000);
  t.pass('after a gateway restart (heartbeat 404) it registered again');

  const id = (await pool(gw.adminUrl))[0]!.id;
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'the backend exits 0 on SIGTERM');
  await waitFor(() => gw.gateway.loadBalancer.get(id) === undefined, 2_000);
  const events = (await readAudit(gw.gateway.config.audit.file)).filter((record) => record.backend === id).map((record) => record.event);
  t.ok(events.includes('deregistered') && !events.includes('expired'), `it deregistered rather than expired (${events.join(', ')})`);
});
