// Demo gRPC Greeters as real child processes (the compiled backends/src/greeter-server.js on 127.0.0.1, port 0),
// h2c or TLS, so kill() is a real SIGKILL whose port then refuses connections. Flip their faults with greeter-client.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const GREETER_SERVER = fileURLToPath(new URL('../../../dist/backends/src/greeter-server.js', import.meta.url));

export interface GreeterProcess {
  readonly id: string;
  /** host:port, what a grpc-js client dials. */
  readonly address: string;
  readonly port: number;
  /** http://… (h2c) or https://… (TLS): the backend url a gateway pool lists. */
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGKILL, resolved once the process is gone; harmless when it already is. */
  kill(): Promise<void>;
}

export async function spawnGreeter(id: string, options: { tls?: { cert: string; key: string }; port?: number } = {}): Promise<GreeterProcess> {
  const tlsArgs = options.tls === undefined ? [] : ['--tls-cert', options.tls.cert, '--tls-key', options.tls.key];
  const child = spawn(process.execPath, [GREETER_SERVER, '--id', id, '--port', String(options.port ?? 0), '--host', '127.0.0.1', ...tlsArgs], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /Greeter listening at 127\.0\.0\.1:(\d+)/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exited.then(() => reject(new Error(`greeter ${id} exited before listening`)));
  });
  child.stdout!.resume(); // keep draining its log so the pipe never fills
  return {
    id,
    port,
    address: `127.0.0.1:${port}`,
    url: `${options.tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`,
    child,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** greeter-1 … greeter-N, started in parallel. */
export async function spawnGreeters(count: number, options: { tls?: { cert: string; key: string } } = {}): Promise<GreeterProcess[]> {
  return Promise.all(Array.from({ length: count }, (_, index) => spawnGreeter(`greeter-${index + 1}`, options)));
}

export async function killGreeters(greeters: readonly GreeterProcess[]): Promise<void> {
  await Promise.all(greeters.map((greeter) => greeter.kill()));
}
