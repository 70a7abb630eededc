// The partial hang: with hangRate 0.5 about half the requests are never answered and the rest are,
// while /health keeps answering (so probes pass) unless healthToo.
import t from 'tap';
import { Agent, request } from 'undici';
import { buildBackendApp } from '../src/app.js';

/** Requests sent at once; the chance that all answer or all hang at 0.5 is 2 × 0.5^40. */
const REQUESTS = 40;
const CLIENT_TIMEOUT_MS = 500;

t.test('hangRate hangs that share of requests and spares /health', async (t) => {
  const app = buildBackendApp({ id: 'half-hung' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  // Its own agent, so the sockets of the hung requests go with it.
  const agent = new Agent();
  t.teardown(async () => {
    await agent.destroy();
    app.server.closeAllConnections(); // hung requests would otherwise hold close() open
    await app.close();
  });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const set = async (faults: object) => {
    const response = await request(`${url}/faults`, { method: 'PUT', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' }, dispatcher: agent });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };
  /** Sends `count` GETs at once; each either answers or times out on the client side. */
  const outcomes = (path: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        try {
          const response = await request(`${url}${path}`, { dispatcher: agent, headersTimeout: CLIENT_TIMEOUT_MS });
          await response.body.dump();
          return response.statusCode === 200 ? 'answered' : `status ${response.statusCode}`;
        } catch (error) {
          return (error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT' ? 'hung' : String(error);
        }
      }),
    );
  const count = (results: string[], outcome: string) => results.filter((result) => result === outcome).length;

  t.equal((await set({ hangRate: 1.5 })).status, 400, 'a rate above 1 is refused');
  t.match((await set({ hangRate: 0.5 })).body, { hangRate: 0.5, hang: false });

  const hello = await outcomes('/hello', REQUESTS);
  t.equal(count(hello, 'answered') + count(hello, 'hung'), REQUESTS, `every request answered or hung: ${[...new Set(hello)].join(', ')}`);
  t.ok(count(hello, 'hung') >= 5, `${count(hello, 'hung')} of ${REQUESTS} hung`);
  t.ok(count(hello, 'answered') >= 5, `${count(hello, 'answered')} of ${REQUESTS} answered`);

  const health = await outcomes('/health', 20);
  t.equal(count(health, 'answered'), 20, '/health always answers, so probes keep passing');

  await set({ hangRate: 1, healthToo: true });
  t.same(await outcomes('/health', 2), ['hung', 'hung'], 'with healthToo, /health hangs as well');
});
