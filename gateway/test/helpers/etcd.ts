// A real etcd (Debian etcd-server) for tests: free loopback ports, a temp data dir, killed in teardown.
// stop() and start() again on the same ports and data dir simulate an etcd outage.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../bench/free-port.js';

export interface TestEtcd {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and deletes its data dir. */
  destroy(): Promise<void>;
}

export async function startEtcd(): Promise<TestEtcd> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-etcd-'));
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  let output = '';

  const etcd: TestEtcd = {
    url,
    async start() {
      output = '';
      child = spawn('etcd', [
        '--name', 'default', '--data-dir', dataDir,
        '--listen-client-urls', url, '--advertise-client-urls', url,
        '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `default=${peer}`,
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const started = Date.now();
      while (Date.now() - started < 15_000) {
        if (child.exitCode !== null) throw new Error(`etcd exited (${child.exitCode}): ${output.slice(-2000)}`);
        const healthy = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) }).then((response) => response.ok, () => false);
        if (healthy) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`etcd not healthy within 15 s: ${output.slice(-2000)}`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    async destroy() {
      await etcd.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await etcd.start();
  return etcd;
}
