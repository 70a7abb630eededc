// Demo backends as real child processes (the compiled backends/src/server.js on 127.0.0.1, port 0), so a busy
// test process cannot delay their health answers, and kill() is a real SIGKILL: the port then refuses connections.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BACKEND_SERVER = fileURLToPath(new URL('../../../dist/backends/src/server.js', import.meta.url));

export interface BackendProcess {
  readonly id: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGKILL, resolved once the process is gone; harmless when it already is. */
  kill(): Promise<void>;
}

export async function spawnBackend(id: string): Promise<BackendProcess> {
  const child = spawn(process.execPath, [BACKEND_SERVER, '--id', id, '--port', '0', '--host', '127.0.0.1'], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    // Fastify logs "Server listening at http://127.0.0.1:PORT" once the listener is up.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`backend ${id} exited before listening`)));
  });
  child.stdout!.resume(); // keep draining its log so the pipe never fills
  return {
    id,
    url,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** backend-1 … backend-N, started in parallel. */
export async function spawnBackends(count: number): Promise<BackendProcess[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => spawnBackend(`backend-${index + 1}`)));
}

export async function killAll(backends: readonly BackendProcess[]): Promise<void> {
  await Promise.all(backends.map((backend) => backend.kill()));
}
