// The compiled gateway as a real child process (what users run), for tests of exit codes, signals and memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { scratchDir } from './scratch-dir.js';

export const GATEWAY_CLI = fileURLToPath(new URL('../../../dist/gateway/src/cli.js', import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  adminUrl: string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Every JSON log line the process printed so far. */
  logs: Record<string, unknown>[];
}

/** Starts `gateway start` on 127.0.0.1:0 with the given GATEWAY_* variables and waits for it to listen. */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [GATEWAY_CLI, 'start'], {
    env: {
      PATH: process.env.PATH,
      GATEWAY_LISTEN_HOST: '127.0.0.1',
      GATEWAY_LISTEN_PORT: '0',
      GATEWAY_LOG_ACCESS: 'false',
      // Never the default admin port (tests run in parallel) nor an audit file in the working tree.
      GATEWAY_ADMIN_PORT: '0',
      GATEWAY_AUDIT_FILE: join(scratchDir('gateway-audit'), 'audit.jsonl'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const { port, adminPort } = await new Promise<{ port: number; adminPort: number }>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        logs.push(entry);
        if (entry.msg === 'gateway listening') resolve({ port: entry.port as number, adminPort: entry.adminPort as number });
      } catch {
        // not a log line
      }
    });
    void exited.then((code) => reject(new Error(`gateway exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}`, exited, logs };
}

/** Resident set size of a process in bytes, from /proc. */
export async function rssBytes(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}
