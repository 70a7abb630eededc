// Debian's prometheus as a child process on a free loopback port, with its own temp dir and a 1 s scrape
// interval, plus a query() over its HTTP API. stop() kills it and removes the dir.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { waitFor } from './gateway.js';
import { freePort } from '../../../bench/free-port.js';

export interface PrometheusServer {
  url: string;
  /** An instant query; resolves with [labels, value] per series. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

/** targets: host:port of /metrics endpoints to scrape every second. */
export async function startPrometheus(targets: string[]): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }',
    'scrape_configs:',
    '  - job_name: gateway',
    `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
    '',
  ].join('\n'));
  const port = await freePort();
  const child = spawn('prometheus', [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      try {
        const response = await request(`${url}/-/ready`);
        await response.body.dump();
        return response.statusCode === 200;
      } catch {
        return false;
      }
    }, 30_000, 200);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    stop,
    async query(expr) {
      const response = await request(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await response.body.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${JSON.stringify(body)}`);
      return body.data.result.map((series) => ({ metric: series.metric, value: Number(series.value[1]) }));
    },
  };
}
