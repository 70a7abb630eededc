// h2c with prior knowledge on http2.h2cPort: curl --http2-prior-knowledge gets World over cleartext HTTP/2, the
// backend is told the client spoke http, and without h2cPort there is no such listener.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startGateway } from './helpers/gateway.js';
import { startH2cGateway } from './helpers/h2c-gateway.js';

const run = promisify(execFile);

t.test('curl --http2-prior-knowledge on the h2c port gets World over HTTP/2', async (t) => {
  const [backend] = await startBackends(1);
  const { gw, url } = await startH2cGateway(t, [backend!.url]);
  t.teardown(() => backend!.stop());

  const hello = await run('curl', ['-s', '--max-time', '10', '--http2-prior-knowledge', '-w', '\n%{http_version} %{http_code}', `${url}/hello`]);
  t.equal(hello.stdout, 'World\n2 200', 'World, over HTTP/2');

  const seen = JSON.parse((await run('curl', ['-s', '--max-time', '10', '--http2-prior-knowledge', `${url}/headers`])).stdout) as { headers: Record<string, string> };
  t.equal(seen.headers['x-forwarded-proto'], 'http', 'cleartext: the backend is told http');
  t.equal(seen.headers.host, `127.0.0.1:${gw.h2cPort!}`);

  const http1 = await run('curl', ['-s', '--max-time', '10', '-o', '/dev/null', '-w', '%{http_code}', `${url}/hello`]).catch((error: { stdout: string }) => error);
  t.not(http1.stdout, '200', 'HTTP/1.1 is not served on the h2c port');
});

t.test('without http2.h2cPort no h2c listener is opened', async (t) => {
  const [backend] = await startBackends(1);
  const gw = await startGateway({ backends: [backend!.url] });
  t.teardown(async () => {
    await gw.close();
    await backend!.stop();
  });
  t.equal(gw.h2cPort, undefined);
});
