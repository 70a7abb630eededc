// Runs the compiled bench (dist/bench/load.js) as a child process and collects its output and exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCH = fileURLToPath(new URL('../../../dist/bench/load.js', import.meta.url));
/** The bench bounds itself; this only keeps a broken bench from hanging the suite. */
const HANG_GUARD_MS = 60_000;

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `onStderr` sees all stderr so far after every chunk, with the child (to signal it). */
export function runBench(args: string[], onStderr?: (stderr: string, child: ChildProcess) => void): Promise<Finished> {
  const child = spawn(process.execPath, [BENCH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    onStderr?.(stderr, child);
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), HANG_GUARD_MS);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    }),
  );
}
