// The demo backend's contract: Hello → World, identity on every response, health, whoami, byte streams.
import t from 'tap';
import { request } from 'undici';
import { buildBackendApp } from '../src/app.js';

t.test('demo backend endpoints', async (t) => {
  const app = buildBackendApp({ id: 'backend-7' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const port = (app.server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;

  const hello = await request(`${url}/hello`);
  t.equal(hello.statusCode, 200);
  t.equal(await hello.body.text(), 'World');
  t.equal(hello.headers['x-backend-id'], 'backend-7');
  t.match(hello.headers['content-type'], /^text\/plain/);

  const form = await request(`${url}/hello`, { method: 'POST', body: 'Hello', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(await form.body.text(), 'World', 'curl --data Hello is understood');
  const wrong = await request(`${url}/hello`, { method: 'POST', body: 'Goodbye', headers: { 'content-type': 'text/plain' } });
  t.equal(wrong.statusCode, 400);
  t.match(await wrong.body.json(), { error: 'expected_hello' });

  const health = await request(`${url}/health`);
  t.same(await health.body.json(), { status: 'ok', id: 'backend-7' });
  const whoami = await request(`${url}/whoami`);
  t.same(await whoami.body.json(), { id: 'backend-7', port, pid: process.pid });

  const download = await request(`${url}/download?bytes=200000`);
  t.equal((await download.body.arrayBuffer()).byteLength, 200_000);
  const badDownload = await request(`${url}/download?bytes=-1`);
  t.equal(badDownload.statusCode, 400);
  await badDownload.body.dump();

  const upload = await request(`${url}/upload`, { method: 'POST', body: Buffer.alloc(70_000, 1), headers: { 'content-type': 'application/octet-stream' } });
  t.match(await upload.body.json(), { bytes: 70_000, sha256: /^[0-9a-f]{64}$/ });
});
