// Conformance: every target tells the backend who asked: X-Forwarded-For appended, X-Forwarded-Proto/Host set by
// the proxy whatever the client claimed, the Host header passed as sent, and an X-Request-Id kept when sane.
import t from 'tap';
import { request } from 'undici';
import { spawnBackends } from '../helpers/backend-processes.js';
import { startTarget, TARGETS } from '../helpers/proxy-targets.js';

for (const name of TARGETS) {
  t.test(`${name}: forwarded headers and request id reach the backend`, async (t) => {
    const [backend] = await spawnBackends(1);
    const target = await startTarget(name, [backend!.url]);
    t.teardown(async () => {
      await target.stop();
      await backend!.kill();
    });
    const echo = async (headers: Record<string, string>) => {
      const response = await request(`${target.url}/headers`, { headers });
      return ((await response.body.json()) as { headers: Record<string, string> }).headers;
    };

    const seen = await echo({
      host: 'shop.example:8443',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'spoofed.example',
      'x-request-id': 'req-abc-123',
    });
    t.equal(seen['x-forwarded-for'], '203.0.113.7, 127.0.0.1', 'the client address is appended to X-Forwarded-For');
    t.equal(seen['x-forwarded-proto'], 'http', 'X-Forwarded-Proto is what this hop saw');
    t.equal(seen['x-forwarded-host'], 'shop.example:8443', 'X-Forwarded-Host is the Host the client sent');
    t.equal(seen.host, 'shop.example:8443', 'Host is passed on as sent');
    t.equal(seen['x-request-id'], 'req-abc-123', 'a sane request id is kept');

    const generated = (await echo({}))['x-request-id'];
    t.match(generated, /^[A-Za-z0-9._:@/+=-]{8,128}$/, `a request id is generated when none is sent (${generated})`);
    const replaced = (await echo({ 'x-request-id': 'not a token; has spaces' }))['x-request-id'];
    t.not(replaced, 'not a token; has spaces', 'an id that is not a plain token is replaced');
  });
}
