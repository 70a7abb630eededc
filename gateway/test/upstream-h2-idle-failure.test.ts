// An HTTP/2 connection to a backend that fails while no request is on it (here the backend ends it with an
// error GOAWAY) has nobody to report to: the failure is logged with its origin and cause instead of vanishing,
// and the next request opens a new connection and is served. One that fails under a request is that request's
// failure (a 502 and its access line), not also an idle connection's.
import { constants, createServer, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { capturedLogger } from './helpers/captured-logger.js';
import { curlTimes } from './helpers/curl.js';
import { startGateway, waitFor } from './helpers/gateway.js';

/** An h2c backend; `breakOnRequest`: it ends the connection with an error GOAWAY instead of answering. */
async function backend(t: Test, breakOnRequest: boolean): Promise<{ origin: string; sessions: ServerHttp2Session[] }> {
  const sessions: ServerHttp2Session[] = [];
  const server = createServer();
  server.on('session', (session) => {
    sessions.push(session);
    session.on('error', () => {}); // the connection it breaks on purpose
  });
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    if (breakOnRequest) {
      stream.session!.goaway(constants.NGHTTP2_PROTOCOL_ERROR);
      return;
    }
    stream.respond({ ':status': 200, 'x-backend-id': 'h2c' });
    stream.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    for (const session of sessions) session.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sessions };
}

async function gatewayTo(t: Test, origin: string) {
  const log = capturedLogger();
  const gw = await startGateway({ pools: { api: { backends: [origin], protocol: 'h2c', healthCheck: { enabled: false } } }, routes: [{ name: 'all', pool: 'api' }] }, log.logger);
  t.teardown(() => gw.close());
  return { log, url: gw.url };
}

t.test('an idle HTTP/2 connection the backend breaks is logged, and the next request is served', async (t) => {
  const { origin, sessions } = await backend(t, false);
  const { log, url } = await gatewayTo(t, origin);

  t.same((await curlTimes(`${url}/first`, 1)).map((result) => result.status), [200], 'the first request is served');
  t.equal(sessions.length, 1, 'over one HTTP/2 connection');
  sessions[0]!.goaway(constants.NGHTTP2_PROTOCOL_ERROR);

  await waitFor(() => log.count('failed while idle') > 0);
  const line = log.lines.find((entry) => entry.msg.includes('failed while idle'))!;
  t.equal(line.origin, origin, 'the log line names the origin');
  t.equal(line.pool, 'api', 'and the pool');
  t.match(String(line.error), /NGHTTP2_PROTOCOL_ERROR|code 1/, `and the cause (${String(line.error)})`);

  t.same((await curlTimes(`${url}/second`, 1)).map((result) => result.status), [200], 'the next request is served');
  t.equal(sessions.length, 2, 'over a new connection');
});

t.test('a connection that breaks under a request is not also logged as idle', async (t) => {
  const { origin, sessions } = await backend(t, true);
  const { log, url } = await gatewayTo(t, origin);
  t.same((await curlTimes(`${url}/breaks`, 1)).map((result) => result.status), [502], 'the request gets 502');
  t.ok(sessions.length >= 1, 'the backend broke the connection it came on');
  await new Promise((resolve) => setTimeout(resolve, 300)); // the session's 'error' comes after its streams' close
  t.equal(log.count('failed while idle'), 0, 'and no idle-connection failure is logged for it');
});
