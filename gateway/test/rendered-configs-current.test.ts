// The committed drop-ins are exactly what `gateway render` prints: nginx/nginx.conf and haproxy/haproxy.cfg for the
// root gateway.config.json, the *.compose.* ones for compose.gateway.config.json, so none drifts from its pool.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { renderTarget, type RenderTarget } from '../src/render/render-target.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const COMMITTED: [config: string, target: RenderTarget, path: string][] = [
  ['gateway.config.json', 'nginx', 'nginx/nginx.conf'],
  ['gateway.config.json', 'haproxy', 'haproxy/haproxy.cfg'],
  ['compose.gateway.config.json', 'nginx', 'nginx/nginx.compose.conf'],
  ['compose.gateway.config.json', 'haproxy', 'haproxy/haproxy.compose.cfg'],
];

for (const [configFile, target, path] of COMMITTED) {
  t.test(`${path} is current`, async (t) => {
    const fresh = renderTarget(target, loadConfig({ file: root(configFile), env: {} }));
    t.ok(readFileSync(root(path), 'utf8') === fresh, `${path} is stale: regenerate it with\n  npm run build && node dist/gateway/src/cli.js render ${target} --config ${configFile} > ${path}`);
  });
}
