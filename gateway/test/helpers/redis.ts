// A real Redis (Debian redis-server) for tests: a free loopback port, no persistence, killed in teardown.
// stop() then start() again on the same port simulate a Redis outage; freeze() and thaw() a hung one.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from '../../../bench/free-port.js';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** SIGKILL: no goodbye to connected clients, as in a crash. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that keeps its connections open but stops answering, then answers again. */
  freeze(): void;
  thaw(): void;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';
  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      output = '';
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const started = Date.now();
      while (!(await answersPing(port))) {
        if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${output.slice(-2000)}`);
        if (Date.now() - started > 10_000) throw new Error(`redis-server did not answer within 10 s: ${output.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null) return;
      running.kill('SIGCONT');
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
  };
  await redis.start();
  return redis;
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(500, () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.end();
    });
  });
}
