// A draining worker's HTTP/2 hand-off, on the h2c listener alone: a request the client sent just before the
// hand-off, still on its way (a relay delays client-to-gateway bytes), is served, and the GOAWAY answering it
// names its stream. A GOAWAY sent at the hand-off itself made nghttp2 drop that request, and close() then
// refused it (curl 7.88 fails such a request: "Error in the HTTP2 framing layer").
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import t from 'tap';
import { H2cListener } from '../src/proxy/h2c-listener.js';

/** How long the relay holds the client's bytes: the hand-off happens while the request is held. */
const CLIENT_DELAY_MS = 100;

/** A TCP relay to `port` that delivers what the client sends CLIENT_DELAY_MS late (answers at once). */
async function delayingRelay(port: number): Promise<Server> {
  const relay = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), CLIENT_DELAY_MS));
    client.on('end', () => setTimeout(() => upstream.end(), CLIENT_DELAY_MS));
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return relay;
}

function get(session: ClientHttp2Session): Promise<{ status: number | undefined; error?: string }> {
  return new Promise((resolve) => {
    const request = session.request({ ':path': '/' });
    let status: number | undefined;
    request.on('response', (headers) => (status = headers[':status']));
    request.on('error', (error: Error) => resolve({ status, error: error.message }));
    request.on('close', () => resolve({ status }));
    request.resume();
    request.end();
  });
}

t.test('a request on its way at the hand-off is served; the GOAWAY answering it names its stream', async (t) => {
  const listener = new H2cListener((_req, res) => res.end('ok'), {}, 60_000);
  const { port } = await listener.listen('127.0.0.1', 0);
  const relay = await delayingRelay(port);
  const session = http2Connect(`http://127.0.0.1:${(relay.address() as AddressInfo).port}`);
  const goaways: number[] = [];
  session.on('goaway', (_code, lastStreamID) => goaways.push(lastStreamID));
  session.on('error', () => undefined);
  t.teardown(() => {
    session.destroy();
    relay.close();
  });

  t.same(await get(session), { status: 200 }, 'a first request, before the hand-off');
  const onItsWay = get(session);
  await new Promise((resolve) => setTimeout(resolve, CLIENT_DELAY_MS / 10));
  listener.handOff();
  // As a draining worker does: the hand-off lasts a while, then the listener closes.
  const closed = new Promise((resolve) => setTimeout(resolve, 1_000)).then(() => listener.close());
  t.same(await onItsWay, { status: 200 }, 'the request sent before the hand-off reached the gateway is served');
  t.same(goaways.slice(0, 1), [3], 'GOAWAY in answer to it, naming its stream (3) as the last one served');
  await closed;
  t.ok(session.closed || session.destroyed, 'the connection is closed');
});
