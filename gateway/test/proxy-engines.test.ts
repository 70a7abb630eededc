// Both forwarding engines keep the same contract: rotation, bodies both ways, forwarded headers,
// and the gateway's own JSON error when the backend fails.
import { createServer } from 'node:http';
import t from 'tap';
import { request } from 'undici';
import { startBackends } from './helpers/backends.js';
import { startGateway, waitFor } from './helpers/gateway.js';

for (const engine of ['undici', 'reply-from']) {
  t.test(`engine ${engine}`, async (t) => {
    const backends = await startBackends(2);
    // A "backend" that cuts every connection: the engine must turn that into the gateway's 502.
    const broken = createServer((req, res) => (req.url === '/health' ? res.end('ok') : res.socket!.destroy()));
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    const brokenUrl = `http://127.0.0.1:${(broken.address() as { port: number }).port}`;
    const gw = await startGateway({ backends: [...backends.map((b) => b.url), { url: brokenUrl, id: 'broken' }], proxy: { engine } });
    t.teardown(async () => {
      await gw.close();
      await Promise.all(backends.map((b) => b.stop()));
      broken.close();
    });
    await waitFor(() => gw.gateway.loadBalancer.list().every((m) => m.state === 'up'));

    const results: { id: string; status: number; body: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await request(`${gw.url}/hello`, { method: 'POST', body: 'Hello', headers: { 'content-type': 'text/plain', 'x-request-id': `req-${i}` } });
      results.push({ id: (response.headers['x-backend-id'] as string) ?? 'broken', status: response.statusCode, body: await response.body.text() });
    }
    t.same(results.map((r) => r.id).sort(), ['backend-1', 'backend-2', 'broken'], 'one request each, in rotation');
    for (const result of results) {
      if (result.id === 'broken') {
        t.equal(result.status, 502, 'a cut connection becomes 502');
        t.match(JSON.parse(result.body), { error: 'upstream_reset', requestId: /^req-\d$/ });
      } else {
        t.same({ status: result.status, body: result.body }, { status: 200, body: 'World' }, 'Hello → World');
      }
    }

    // The rotation has come round to backend-1 again.
    const headers = await request(`${gw.url}/headers`, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    t.equal(headers.statusCode, 200);
    const body = (await headers.body.json()) as { headers: Record<string, string> };
    t.equal(body.headers['x-forwarded-for'], '198.51.100.1, 127.0.0.1', 'X-Forwarded-For appended');
  });
}
