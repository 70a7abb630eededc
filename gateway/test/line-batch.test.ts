// The access log's batching in front of its file: lines reach the file in order, a chunk at a time once about
// 8 KiB have gathered or 100 ms have passed, and the lines still batched when the process exits are written
// before it ends (a real child process writing through pino's sonic-boom destination, as the gateway does).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { LineBatch } from '../src/observability/line-batch.js';

const run = promisify(execFile);

function recorder() {
  const chunks: string[] = [];
  return { chunks, destination: { write: (chunk: string) => void chunks.push(chunk), flushSync: () => {} } };
}

t.test('short lines wait for the interval, then go as one chunk, in order', async (t) => {
  const { chunks, destination } = recorder();
  const batch = new LineBatch(destination);
  batch.write('one\n');
  batch.write('two\n');
  batch.write('three\n');
  t.same(chunks, [], 'nothing handed over at once');
  // The interval is 100 ms; a busy machine may run the timer late, so allow it far longer.
  const until = Date.now() + 2_000;
  while (chunks.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  t.same(chunks, ['one\ntwo\nthree\n'], 'then one chunk with the three lines, in order');
});

t.test('8 KiB of lines go at once, without waiting', async (t) => {
  const { chunks, destination } = recorder();
  const batch = new LineBatch(destination);
  const line = `${'x'.repeat(99)}\n`;
  for (let i = 0; i < 82; i++) batch.write(line);
  t.equal(chunks.length, 1, 'handed over as soon as it passed 8,192 characters');
  t.equal(chunks[0], line.repeat(82));
});

t.test('lines batched when the process exits are in the file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'line-batch-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'access.log');
  const lineBatch = new URL('../../dist/gateway/src/observability/line-batch.js', import.meta.url).href;
  const script = `
    import pino from 'pino';
    import { LineBatch } from ${JSON.stringify(lineBatch)};
    const destination = pino.destination({ dest: ${JSON.stringify(file)}, sync: false, minLength: 8192 });
    destination.once('ready', () => {
      const batch = new LineBatch(destination);
      for (let i = 0; i < 5; i++) batch.write('line ' + i + '\\n');
      process.exit(0);
    });`;
  await run(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
  t.equal(await readFile(file, 'utf8'), 'line 0\nline 1\nline 2\nline 3\nline 4\n', 'all five lines, written as the process exited');
});
