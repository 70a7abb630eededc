// A WebSocket handshake whose backend fails gets an HTTP answer (not a silently closed socket) and leaves a log
// line naming the cause: refused → 502 upstream_unreachable.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { capturedLogger } from './helpers/captured-logger.js';
import { startGateway } from './helpers/gateway.js';
import { freePort } from '../../bench/free-port.js';

const run = promisify(execFile);

t.test('a refused WebSocket handshake: 502 to curl, and the cause in the log', async (t) => {
  const { lines, logger } = capturedLogger();
  const closedPort = await freePort();
  const gw = await startGateway({ backends: [`http://127.0.0.1:${closedPort}`], healthCheck: { enabled: false }, log: { level: 'info', access: false } }, logger);
  t.teardown(() => gw.close());

  const { stdout } = await run('curl', ['-s', '-i', '--max-time', '10', '-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', '-H', 'Sec-WebSocket-Version: 13', '-H', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `${gw.url}/socket`]);
  t.match(stdout, /^HTTP\/1\.1 502 Bad Gateway/, 'curl gets 502');
  t.match(stdout, /"error":"upstream_unreachable"/);
  const [line] = lines.filter((entry) => entry.msg.startsWith('WebSocket handshake to'));
  t.match(line, { level: 40, backend: 'backend-1', path: '/socket', reason: 'refused', cause: /^ECONNREFUSED/ }, 'a warning names the backend and the cause');
});
