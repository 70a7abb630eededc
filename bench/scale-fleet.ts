// The scale bench's fleet: one fast backend process answering on every 127.0.X.Y address, and a gateway
// whose one pool lists N of those addresses as N backends, both real child processes in their own groups.
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { loopbackGatewayEnv } from './gateway-env.js';
import { failOnEarlyExit, startProcess, type Started } from './processes.js';

const repoDist = fileURLToPath(new URL('../', import.meta.url)); // dist/bench/ → dist/

export interface ScaleGateway {
  process: Started;
  url: string;
  adminUrl: string;
}

/** N distinct loopback origins on one port: 127.0.0.1 … 127.0.0.250, 127.0.1.1 … (all reach a 0.0.0.0 listener). */
export function loopbackOrigins(count: number, port: number): string[] {
  return Array.from({ length: count }, (_, index) => `http://127.0.${Math.floor(index / 250)}.${(index % 250) + 1}:${port}`);
}

/** The fastest real backend (200 "ok" to everything): the gateway's cost is measured, and the backend must keep up. */
const FAST_BACKEND = "require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.argv[1]), '0.0.0.0')";

/** One backend process on 0.0.0.0, so every 127.0.X.Y reaches it. */
export async function startWildcardBackend(): Promise<{ process: Started; port: number }> {
  const port = await freePort();
  const started = startProcess('backend', process.execPath, ['-e', FAST_BACKEND, String(port)]);
  await failOnEarlyExit(started, waitForHealth(`http://127.0.0.1:${port}/health`));
  return { process: started, port };
}

/** `gateway start` on 127.0.0.1 (ports chosen by the kernel) with `env` added to the bench's settings; nodeArgs e.g. --cpu-prof. */
export async function startGateway(env: Record<string, string>, nodeArgs: string[] = []): Promise<ScaleGateway> {
  const started = startProcess('gateway', process.execPath, [...nodeArgs, `${repoDist}gateway/src/cli.js`, 'start'], {
    // Not the repository root, whose gateway.config.json would add its own settings: the run is the variables below.
    cwd: `${repoDist}bench`,
    env: {
      ...loopbackGatewayEnv(),
      GATEWAY_AUDIT_FILE: '/dev/null',
      ...env,
    },
  });
  const listening = new Promise<ScaleGateway>((resolve) => {
    started.onLine((line) => {
      if (!line.includes('"gateway listening"')) return;
      const { port, adminPort } = JSON.parse(line) as { port: number; adminPort: number };
      resolve({ process: started, url: `http://127.0.0.1:${port}`, adminUrl: `http://127.0.0.1:${adminPort}` });
    });
  });
  return failOnEarlyExit(started, listening);
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer within 15 s`);
}
