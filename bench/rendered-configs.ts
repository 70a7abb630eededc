// nginx and HAProxy configs made by `gateway render` (gateway/src/render) from the gateway's own pool config,
// so all three do the same work per request: forwarded headers, request ids, retries, health checks.
// Two edits make it like for like with the single-process gateway: one nginx worker, one HAProxy thread.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../gateway/src/config.js';
import { renderHaproxy } from '../gateway/src/render/haproxy.js';
import { renderNginx } from '../gateway/src/render/nginx.js';
import { gatewayEnv } from './gateway-env.js';
import type { ProxyConfigSource } from './proxy-configs.js';

/** Replaces exactly what `pattern` finds, or fails loudly when the renderer's output no longer has it. */
function edit(config: string, pattern: RegExp, replacement: string, what: string): string {
  if (!pattern.test(config)) throw new Error(`cannot ${what}: the rendered config no longer matches ${pattern}`);
  return config.replace(pattern, replacement);
}

export const renderedProxyConfig: ProxyConfigSource = async (kind, { dir, port, statsPort, backends, env: extraEnv, tlsPort, h2cPort }) => {
  const env = { ...gatewayEnv(backends), ...extraEnv };
  // An empty config file, as the gateway (started in a temp dir) sees none, unless GATEWAY_CONFIG names one.
  const emptyFile = join(dir, 'empty.config.json');
  await writeFile(emptyFile, '{}\n');
  const config = loadConfig({ file: env.GATEWAY_CONFIG ?? emptyFile, env });
  if (kind === 'nginx') {
    return edit(renderNginx(config, { port, tlsPort, h2cPort }), /^worker_processes auto;$/m, 'worker_processes 1;', 'pin one nginx worker');
  }
  return edit(renderHaproxy(config, { port, statsPort, tlsPort, h2cPort }), /^global$/m, 'global\n    nbthread 1', 'pin one HAProxy thread');
};
