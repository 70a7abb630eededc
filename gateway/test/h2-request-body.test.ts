// Request bodies over HTTP/2 (h2-request.ts): curl -d Hello gets World, and a 5 MB upload streamed from stdin
// (no content-length, as gRPC and streaming clients send) reaches the backend whole, byte for byte.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import t from 'tap';
import { startBackends } from './helpers/backends.js';
import { startH2cGateway } from './helpers/h2c-gateway.js';

function curl(args: string[], stdin?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('curl', ['-s', '--max-time', '30', '--http2-prior-knowledge', ...args], { encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    child.stdin!.end(stdin);
  });
}

t.test('POST bodies over h2c: a small one with content-length, a streamed one without', async (t) => {
  const [backend] = await startBackends(1);
  const { url } = await startH2cGateway(t, [backend!.url]);
  t.teardown(() => backend!.stop());

  t.equal(await curl(['-d', 'Hello', `${url}/hello`]), 'World');

  const upload = randomBytes(5 * 1024 * 1024);
  // -T - reads stdin to its end: curl cannot know the length and sends none over HTTP/2.
  const answer = JSON.parse(await curl(['-T', '-', '-X', 'POST', '-H', 'content-type: application/octet-stream', `${url}/upload`], upload)) as { bytes: number; sha256: string };
  t.equal(answer.bytes, upload.length, 'every byte arrived');
  t.equal(answer.sha256, createHash('sha256').update(upload).digest('hex'), 'in order');
});
