// Caddy (Debian's caddy 2.6) as a bench target: reverse_proxy to the same backends, round-robin, with Caddy's
// defaults otherwise: no active health checks, no passive ones (no fail_duration), upstream keep-alive on, the
// X-Forwarded-* headers set, no access log. Caddy's Go runtime uses every core, so it is the multi-core
// comparison for the gateway's workers.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProcess, type Started } from './processes.js';

export function caddyfile(port: number, backends: readonly string[]): string {
  return `{
  admin off
  auto_https off
}

http://127.0.0.1:${port} {
  reverse_proxy ${backends.map((origin) => new URL(origin).host).join(' ')} {
    lb_policy round_robin
  }
}
`;
}

/** Starts `caddy run` on the Caddyfile in dir; HOME and XDG dirs point there, so Caddy writes nothing elsewhere. */
export async function startCaddy(dir: string, port: number, backends: readonly string[]): Promise<Started> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'Caddyfile');
  await writeFile(file, caddyfile(port, backends));
  return startProcess('caddy', 'caddy', ['run', '--config', file, '--adapter', 'caddyfile'], {
    env: { PATH: process.env.PATH, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
  });
}
