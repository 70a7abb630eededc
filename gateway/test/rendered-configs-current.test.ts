// The committed nginx/nginx.conf and haproxy/haproxy.cfg are exactly what `gateway render` prints for the root
// gateway.config.json, so the drop-ins never drift from the pool they claim to mirror.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfig } from '../src/config.js';
import { renderTarget, type RenderTarget } from '../src/render/render-target.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const config = loadConfig({ file: root('gateway.config.json'), env: {} });
const COMMITTED: Record<RenderTarget, string> = { nginx: 'nginx/nginx.conf', haproxy: 'haproxy/haproxy.cfg' };

for (const [target, path] of Object.entries(COMMITTED) as [RenderTarget, string][]) {
  t.test(`${path} is current`, async (t) => {
    const fresh = renderTarget(target, config);
    t.ok(readFileSync(root(path), 'utf8') === fresh, `${path} is stale: regenerate it with\n  npm run build && node dist/gateway/src/cli.js render ${target} --config gateway.config.json > ${path}`);
  });
}
