// Conformance: uploads that say `Expect: 100-continue` (curl does for any body over 1 MB) reach the backend whole,
// through every target, driven by curl itself. The gateway used to answer 100 and then 502 for every such request.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { spawnBackends } from '../helpers/backend-processes.js';
import { NO_PROBES, startTarget, TARGETS } from '../helpers/proxy-targets.js';
import { scratchDir } from '../helpers/scratch-dir.js';

const run = promisify(execFile);
const MB = 1024 * 1024;

/** A file of random bytes and its sha256, written in 1 MB pieces so 100 MB never sits in memory. */
async function randomFile(dir: string, bytes: number): Promise<{ path: string; sha256: string }> {
  const path = join(dir, `${bytes}.bin`);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let written = 0; written < bytes; written += MB) {
    const piece = randomBytes(Math.min(MB, bytes - written));
    hash.update(piece);
    if (!out.write(piece)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { path, sha256: hash.digest('hex') };
}

/** curl -v, so its trace shows whether it sent Expect and got 100 Continue; the body and status come on stdout. */
async function curlUpload(url: string, file: string, extraHeaders: string[] = []) {
  const headers = ['-H', 'content-type: application/octet-stream', ...extraHeaders.flatMap((header) => ['-H', header])];
  const { stdout, stderr } = await run('curl', ['-sS', '-v', '--max-time', '60', '-X', 'POST', ...headers, '--data-binary', `@${file}`, '-w', '\n%{http_code}', url], { maxBuffer: 16 * MB });
  const lines = stdout.trimEnd().split('\n');
  return { status: Number(lines.pop()), body: lines.join('\n'), trace: stderr };
}

const dir = scratchDir('expect-continue');
const files = { small: await randomFile(dir, 10 * 1024), twoMb: await randomFile(dir, 2 * MB), hundredMb: await randomFile(dir, 100 * MB) };

for (const name of TARGETS) {
  t.test(`${name}: curl uploads with Expect: 100-continue arrive whole`, async (t) => {
    const [backend] = await spawnBackends(1);
    const target = await startTarget(name, [backend!.url], NO_PROBES);
    t.teardown(async () => {
      await target.stop();
      await backend!.kill();
    });

    const cases = [
      { label: '2 MB (curl adds Expect itself)', file: files.twoMb, bytes: 2 * MB, headers: [] },
      { label: '100 MB (curl adds Expect itself)', file: files.hundredMb, bytes: 100 * MB, headers: [] },
      { label: '10 KB with Expect set by hand (buffered for retries)', file: files.small, bytes: 10 * 1024, headers: ['Expect: 100-continue'] },
    ];
    for (const { label, file, bytes, headers } of cases) {
      const { status, body, trace } = await curlUpload(`${target.url}/upload`, file.path, headers);
      t.match(trace, /> Expect: 100-continue/i, `${label}: curl sent Expect`);
      t.match(trace, /< HTTP\/1\.1 100 Continue/, `${label}: the client was told to go on`);
      t.equal(status, 200, `${label}: answered ${status}: ${body.slice(0, 200)}`);
      if (status === 200) t.same(JSON.parse(body), { bytes, sha256: file.sha256 }, `${label}: the backend got every byte in order`);
    }
  });
}
