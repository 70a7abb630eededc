// The fault switches: off by default, each one changes what a client of the backend sees, /health spared.
import t from 'tap';
import { request } from 'undici';
import { buildBackendApp } from '../src/app.js';

t.test('fault switches', async (t) => {
  let crashed = false;
  const app = buildBackendApp({ id: 'faulty', onCrash: () => (crashed = true) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => {
    app.server.closeAllConnections(); // the hung request would otherwise hold close() open
    return app.close();
  });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const set = async (faults: object) => {
    const response = await request(`${url}/faults`, { method: 'PUT', body: JSON.stringify(faults), headers: { 'content-type': 'application/json' } });
    return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> };
  };

  t.match((await set({})).body, { delayMs: 0, errorRate: 0, hang: false, reset: false, crash: false }, 'all off by default');

  await set({ errorRate: 1, errorStatus: 503 });
  const failing = await request(`${url}/hello`);
  t.equal(failing.statusCode, 503, 'errorRate 1 fails every request with errorStatus');
  await failing.body.dump();
  const health = await request(`${url}/health`);
  t.equal(health.statusCode, 200, '/health is spared unless healthToo');
  await health.body.dump();

  await set({ delayMs: 150 });
  const started = Date.now();
  const slow = await request(`${url}/hello`);
  t.equal(await slow.body.text(), 'World');
  t.ok(Date.now() - started >= 140, 'delayMs slows the answer');

  await set({ reset: true });
  await t.rejects(request(`${url}/hello`), 'reset closes the connection without a response');

  await set({ hang: true });
  await t.rejects(request(`${url}/hello`, { headersTimeout: 300 }), { code: 'UND_ERR_HEADERS_TIMEOUT' }, 'hang never answers');

  t.equal((await set({ delayMs: -1 })).status, 400, 'bad values are refused');
  t.match((await set({ crash: true })).body, { crash: true });
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(crashed, 'crash calls the crash handler');
});
